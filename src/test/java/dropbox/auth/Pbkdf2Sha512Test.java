package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.auth.hashing.HashingStrategy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

/** Our PBKDF2 must be the JDK's PBKDF2WithHmacSHA512 exactly, or stored accounts stop verifying. */
class Pbkdf2Sha512Test {
  private static byte[] jdk(String password, byte[] salt, int iterations) throws Exception {
    return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
        .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 512)).getEncoded();
  }

  @Test
  void matchesThePublishedVector() {
    // PBKDF2-HMAC-SHA512, P = "password", S = "salt", c = 1, dkLen = 64 (the vector set of RFC 6070's style).
    assertEquals("867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
            + "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce",
        HexFormat.of().formatHex(Pbkdf2Sha512.derive("password".getBytes(StandardCharsets.US_ASCII),
            "salt".getBytes(StandardCharsets.US_ASCII), 1)));
  }

  @Test
  void matchesTheJdkOnPasswordsOfEveryShape() throws Exception {
    Random random = new Random(8);
    String[] passwords = {"", "p", "pass", "correct horse battery staple", "pässwörd ✓ 日本語 \uD83D\uDE00",
        "x".repeat(127), "y".repeat(128), "z".repeat(129), "w".repeat(300)};
    // Around the edges of derive's calls of 1000 rounds too.
    int[] iterations = {1, 2, 3, 999, 1000, 1001, 1002, 2000, 2001, 3500};
    for (String password : passwords) {
      for (int it : iterations) {
        byte[] salt = new byte[1 + random.nextInt(32)];
        random.nextBytes(salt);
        assertArrayEquals(jdk(password, salt, it),
            Pbkdf2Sha512.derive(password.getBytes(StandardCharsets.UTF_8), salt, it),
            "password of " + password.length() + " chars, " + salt.length + "-byte salt, " + it + " iterations");
      }
    }
  }

  @Test
  void hashesFromVertxAuthAndOursVerifyEitherWay() {
    HashingStrategy stock = HashingStrategy.load();
    Pbkdf2Sha512 ours = new Pbkdf2Sha512();
    byte[] salt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    String before = stock.hash("pbkdf2", Map.of("it", "5000"), Base64.getEncoder().encodeToString(salt), "an old password");
    String after = ours.hashText(5000, salt, "an old password");
    assertEquals(before, after);
    assertTrue(ours.verify(before, "an old password"));
    assertTrue(stock.verify(after, "an old password"));
    assertFalse(ours.verify(before, "an old passwore"));
    assertFalse(ours.verify(before, ""));
  }

  @Test
  void aHashTextThatIsNotOursIsRefusedNotGuessed() {
    Pbkdf2Sha512 ours = new Pbkdf2Sha512();
    assertThrows(IllegalArgumentException.class, () -> ours.verify("$pbkdf2$it=x$c2FsdA$aGFzaA", "p"));
    assertThrows(IllegalArgumentException.class, () -> ours.verify("$pbkdf2$it=0$c2FsdA$aGFzaA", "p"));
    assertThrows(IllegalArgumentException.class, () -> ours.verify("$sha512$$aGFzaA", "p"));
    assertThrows(RuntimeException.class, () -> ours.verify("garbage", "p"));
  }
}
