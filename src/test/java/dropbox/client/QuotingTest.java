package dropbox.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuotingTest {

  @Test
  void plainTokensStayBareSoClassicServersReadThem() {
    assertEquals("notes.txt", Quoting.quote("notes.txt"));
    assertEquals("été-ü.txt", Quoting.quote("été-ü.txt"));
    assertEquals("a-b--c", Quoting.quote("a-b--c"));
  }

  @Test
  void spacesQuotesAndBackslashesAreQuotedAndEscaped() {
    assertEquals("\"my notes.txt\"", Quoting.quote("my notes.txt"));
    assertEquals("\"tab\there\"", Quoting.quote("tab\there"));
    assertEquals("\"say \\\"hi\\\"\"", Quoting.quote("say \"hi\""));
    assertEquals("\"a\\\\b\"", Quoting.quote("a\\b"));
    assertEquals("\"\"", Quoting.quote(""));
  }

  @Test
  void aNameStartingWithDashDashIsQuotedSoItIsNotTakenForAFlag() {
    assertEquals("\"--high\"", Quoting.quote("--high"));
  }

  @Test
  void lineBreaksAndNulCannotBeSent() {
    assertThrows(IllegalArgumentException.class, () -> Quoting.quote("a\nLIST"));
    assertThrows(IllegalArgumentException.class, () -> Quoting.quote("a\rb"));
    assertThrows(IllegalArgumentException.class, () -> Quoting.quote("a\0b"));
  }

  @Test
  void tokenizeSplitsOnRunsOfSpacesAndTabs() {
    List<Quoting.Token> t = Quoting.tokenize("  UPLOAD \t a.txt   --high ");
    assertEquals(List.of("UPLOAD", "a.txt", "--high"), t.stream().map(Quoting.Token::text).toList());
    assertTrue(t.stream().noneMatch(Quoting.Token::quoted));
    assertTrue(Quoting.tokenize("   ").isEmpty());
  }

  @Test
  void tokenizeReadsQuotedTokensWithEscapes() {
    List<Quoting.Token> t = Quoting.tokenize("DOWNLOAD \"my \\\"big\\\" \\\\ file\" \"--x\" \"\"");
    assertEquals("my \"big\" \\ file", t.get(1).text());
    assertTrue(t.get(1).quoted());
    assertEquals("--x", t.get(2).text());
    assertTrue(t.get(2).quoted());
    assertEquals("", t.get(3).text());
  }

  @Test
  void quoteAndTokenizeRoundTrip() {
    for (String s : List.of("plain", "with space", "q\"uote", "back\\slash", "--flagish", "", " lead", "trail ", "\\\"")) {
      List<Quoting.Token> t = Quoting.tokenize("CMD " + Quoting.quote(s));
      assertEquals(2, t.size(), s);
      assertEquals(s, t.get(1).text());
    }
  }

  @Test
  void malformedLinesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Quoting.tokenize("UPLOAD \"open"));
    assertThrows(IllegalArgumentException.class, () -> Quoting.tokenize("UPLOAD \"bad \\n escape\""));
    assertThrows(IllegalArgumentException.class, () -> Quoting.tokenize("UPLOAD \"trailing backslash\\"));
    assertThrows(IllegalArgumentException.class, () -> Quoting.tokenize("UPLOAD a\"b"));
    assertThrows(IllegalArgumentException.class, () -> Quoting.tokenize("UPLOAD \"a\"b"));
    assertFalse(Quoting.tokenize("UPLOAD \"a\" b").isEmpty());
  }
}
