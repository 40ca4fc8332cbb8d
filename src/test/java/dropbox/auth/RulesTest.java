package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RulesTest {

  @Test
  void usernames() {
    for (String ok : new String[] {"a", "Z", "7", "alice", "Alice_01", "a.b-c_d", "0-", "x".repeat(64)}) {
      assertTrue(Usernames.isValid(ok), ok);
    }
    for (String bad : new String[] {null, "", "_a", ".a", "-a", "..", "a b", "a/b", "a\\b", "é", "a@b", "a\n",
        "x".repeat(65), "a:b", "a\u0000"}) {
      assertFalse(Usernames.isValid(bad), String.valueOf(bad));
    }
    assertEquals("alice.b-1", Usernames.key("AlIcE.B-1"));
  }

  @Test
  void signupPasswords() {
    assertNull(Passwords.signupProblem("pass", 4));
    assertNull(Passwords.signupProblem("p@ss;w0rd!", 4));
    assertNull(Passwords.signupProblem("x".repeat(128), 4));
    assertNull(Passwords.signupProblem("é".repeat(64), 4), "64 two-byte characters are exactly 128 bytes");
    assertNull(Passwords.signupProblem("ab", 1));
    assertNull(Passwords.signupProblem("ééé", 3), "the minimum counts characters, not bytes");

    assertNotNull(Passwords.signupProblem("abc", 4));
    assertNotNull(Passwords.signupProblem("abcdefgh", 10));
    assertNotNull(Passwords.signupProblem("", 0));
    assertNotNull(Passwords.signupProblem(null, 4));
    assertNotNull(Passwords.signupProblem("x".repeat(129), 4));
    assertNotNull(Passwords.signupProblem("é".repeat(65), 4));
    assertNotNull(Passwords.signupProblem("two words", 4));
    assertNotNull(Passwords.signupProblem("tab\there", 4));
    assertNotNull(Passwords.signupProblem("nbsp\u00a0here", 4));
    assertNotNull(Passwords.signupProblem("ctrl\u0007x", 4));
    assertNotNull(Passwords.signupProblem("lone\ud800x", 4));
    assertTrue(Passwords.signupProblem("abc", 4).contains("at least 4 characters, at most 128 bytes"));
    assertNotNull(Passwords.signupProblem("ééé", 4), "3 characters, although 6 bytes: the message says characters");
  }

  @Test
  void loginPasswordsOnlyNeedTheSizeBound() {
    assertTrue(Passwords.fitsLogin("a"));
    assertTrue(Passwords.fitsLogin("with space"));
    assertTrue(Passwords.fitsLogin("x".repeat(128)));
    assertFalse(Passwords.fitsLogin(""));
    assertFalse(Passwords.fitsLogin(null));
    assertFalse(Passwords.fitsLogin("secret\0"), "a NUL would be dropped by HMAC's key padding");
    assertFalse(Passwords.fitsLogin("é".repeat(65)));
  }

  @Test
  void delayFormula() {
    long[] expected = {0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], ThrottleRule.delayFor(k, ThrottleRule.PAIR_FREE), "k=" + k);
    }
    assertEquals(30000, ThrottleRule.delayFor(70, ThrottleRule.PAIR_FREE));
    assertEquals(30000, ThrottleRule.delayFor(Long.MAX_VALUE, ThrottleRule.PAIR_FREE));
  }
}
