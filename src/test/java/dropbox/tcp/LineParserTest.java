package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.Priority;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineParserTest {

  private static CommandLine ok(String line) {
    Optional<CommandLine> p = LineParser.parse(line.getBytes(StandardCharsets.UTF_8));
    assertTrue(p.isPresent(), "should parse: " + line);
    return p.get();
  }

  private static void syntaxError(String line) {
    assertTrue(LineParser.parse(line.getBytes(StandardCharsets.UTF_8)).isEmpty(), "should be invalid: " + line);
  }

  @Test
  void plainCommandWithOneArgument() {
    CommandLine c = ok("UPLOAD notes.txt");
    assertEquals("UPLOAD", c.command());
    assertEquals(List.of("notes.txt"), c.args());
    assertEquals(Priority.MEDIUM, c.priority());
  }

  @Test
  void commandWordIsCaseInsensitiveButArgumentsAreNot() {
    CommandLine c = ok("uPlOaD Notes.TXT");
    assertEquals("UPLOAD", c.command());
    assertEquals("Notes.TXT", c.arg(0));
  }

  @Test
  void onlyAsciiLettersAreUpperCased() {
    // "lıst" with a dotless i upper-cases to "LIST" under Unicode rules; it must stay unknown.
    assertEquals("LıST", ok("lıst").command());
    assertEquals("ß", ok("ß").command());
  }

  @Test
  void runsOfSpacesAndTabsSeparate() {
    CommandLine c = ok(" \t LOGIN \t\t alice   pass \t ");
    assertEquals("LOGIN", c.command());
    assertEquals(List.of("alice", "pass"), c.args());
  }

  @Test
  void carriageReturnBeforeNewlineIsDropped() {
    assertEquals(List.of("a.txt"), ok("DELETE a.txt\r").args());
    assertEquals("LIST", ok("LIST\r").command());
  }

  @Test
  void onlyOneTrailingCarriageReturnIsDropped() {
    assertEquals(List.of("a.txt\r"), ok("DELETE a.txt\r\r").args());
  }

  @Test
  void carriageReturnInsideTheLineIsKept() {
    assertEquals(List.of("a\rb"), ok("DELETE a\rb").args());
  }

  @Test
  void emptyAndBlankLinesHaveAnEmptyCommand() {
    assertEquals("", ok("").command());
    assertEquals("", ok(" \t ").command());
    assertEquals("", ok("\r").command());
    assertEquals(0, ok("").argCount());
  }

  @Test
  void quotedTokensCarrySpaces() {
    CommandLine c = ok("UPLOAD \"my notes.txt\"");
    assertEquals(List.of("my notes.txt"), c.args());
  }

  @Test
  void quotedTokenEscapes() {
    assertEquals("say \"hi\"", ok("UPLOAD \"say \\\"hi\\\"\"").arg(0));
    assertEquals("back\\slash", ok("UPLOAD \"back\\\\slash\"").arg(0));
  }

  @Test
  void emptyQuotedTokenIsAnEmptyArgument() {
    CommandLine c = ok("UPLOAD \"\"");
    assertEquals(1, c.argCount());
    assertEquals("", c.arg(0));
  }

  @Test
  void backslashInABareTokenIsLiteral() {
    assertEquals("a\\b", ok("UPLOAD a\\b").arg(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "UPLOAD \"unterminated",
      "UPLOAD \"ends with escape\\",
      "UPLOAD \"bad \\n escape\"",
      "UPLOAD \"bad \\t\"",
      "UPLOAD \"x\\'\"",
      "UPLOAD ab\"cd\"",
      "UPLOAD abc\"",
      "UPLOAD \"abc\"def",
      "UPLOAD \"a\"\"b\"",
      "\"",
      "LOGIN \"alice pass",
  })
  void syntaxErrors(String line) {
    syntaxError(line);
  }

  @Test
  void quotedTokenMayBeFollowedByTabOrEnd() {
    assertEquals(List.of("a b", "c"), ok("X \"a b\"\tc").args());
    assertEquals(List.of("a b"), ok("X \"a b\"").args());
    assertEquals(List.of("a b"), ok("X \"a b\"\r").args());
  }

  @Test
  void priorityFlags() {
    assertEquals(Priority.HIGH, ok("LIST --high").priority());
    assertEquals(Priority.LOW, ok("LIST --low").priority());
    assertEquals(Priority.MEDIUM, ok("LIST --medium").priority());
    assertEquals(Priority.HIGH, ok("LIST --HIGH").priority());
    assertEquals(Priority.HIGH, ok("LIST --priority=high").priority());
    assertEquals(Priority.LOW, ok("LIST --Priority=LOW").priority());
    assertEquals(Priority.MEDIUM, ok("LIST --priority=medium").priority());
    assertEquals(0, ok("LIST --high").argCount());
  }

  @Test
  void unknownFlagIsIgnoredAndCountsAsMedium() {
    for (String f : List.of("--urgent", "--", "--priority=", "--priority=urgent", "--priorityhigh", "---high")) {
      CommandLine c = ok("UPLOAD a.txt " + f);
      assertEquals(Priority.MEDIUM, c.priority(), f);
      assertEquals(List.of("a.txt"), c.args(), f);
    }
  }

  @Test
  void flagWithMalformedUtf8CountsAsMedium() {
    byte[] line = concat("LIST --".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3});
    CommandLine c = LineParser.parse(line).orElseThrow();
    assertEquals(Priority.MEDIUM, c.priority());
    assertEquals(0, c.argCount());
  }

  @Test
  void onlyTheLastArgumentIsAFlag() {
    CommandLine c = ok("UPLOAD --high a.txt");
    assertEquals(List.of("--high", "a.txt"), c.args());
    assertEquals(Priority.MEDIUM, c.priority());
  }

  @Test
  void onlyOneFlagIsStripped() {
    CommandLine c = ok("LIST --high --low");
    assertEquals(List.of("--high"), c.args());
    assertEquals(Priority.LOW, c.priority());
  }

  @Test
  void quotedDashDashIsAName() {
    CommandLine c = ok("UPLOAD \"--high\"");
    assertEquals(List.of("--high"), c.args());
    assertEquals(Priority.MEDIUM, c.priority());
    CommandLine d = ok("UPLOAD \"--name\" --low");
    assertEquals(List.of("--name"), d.args());
    assertEquals(Priority.LOW, d.priority());
  }

  @Test
  void theCommandWordIsNeverAFlag() {
    CommandLine c = ok("--high");
    assertEquals("--HIGH", c.command());
    assertEquals(Priority.MEDIUM, c.priority());
  }

  @Test
  void flagInTheMiddleIsAnArgument() {
    CommandLine c = ok("LOGIN alice --x pass");
    assertEquals(List.of("alice", "--x", "pass"), c.args());
  }

  @Test
  void argumentsAreCountedExactly() {
    assertEquals(2, ok("UPLOAD my notes.txt").argCount());
    assertEquals(1, ok("UPLOAD \"my notes.txt\" --low").argCount());
    assertEquals(0, ok("UPLOAD").argCount());
    assertEquals(0, ok("UPLOAD --low").argCount());
  }

  @Test
  void utf8NamesAreDecoded() {
    assertEquals("résumé 📄.txt", ok("UPLOAD \"résumé 📄.txt\"").arg(0));
    assertEquals("日本語", ok("DELETE 日本語").arg(0));
  }

  @Test
  void malformedUtf8ArgumentIsNullNeverReplaced() {
    byte[][] bad = {
        {(byte) 0xFF},
        {(byte) 0xC3},                                  // truncated 2-byte sequence
        {(byte) 0xC0, (byte) 0xAF},                     // overlong '/'
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80},        // UTF-16 surrogate encoded
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
        {'a', (byte) 0x80, 'b'},                        // stray continuation byte
    };
    for (byte[] b : bad) {
      byte[] line = concat("UPLOAD ".getBytes(StandardCharsets.UTF_8), b);
      CommandLine c = LineParser.parse(line).orElseThrow();
      assertEquals("UPLOAD", c.command());
      assertEquals(1, c.argCount(), Arrays.toString(b));
      assertNull(c.arg(0), Arrays.toString(b));
    }
  }

  @Test
  void malformedUtf8InsideQuotesIsNull() {
    byte[] line = concat("UPLOAD \"a ".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xFE, '"'});
    CommandLine c = LineParser.parse(line).orElseThrow();
    assertEquals(1, c.argCount());
    assertNull(c.arg(0));
  }

  @Test
  void malformedUtf8CommandWordIsNull() {
    CommandLine c = LineParser.parse(new byte[] {(byte) 0xFF, ' ', 'a'}).orElseThrow();
    assertNull(c.command());
  }

  @Test
  void nulBytesStayInTheToken() {
    CommandLine c = LineParser.parse(new byte[] {'D', 'E', 'L', 'E', 'T', 'E', ' ', 'a', 0, 'b'}).orElseThrow();
    assertEquals("a\0b", c.arg(0));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
