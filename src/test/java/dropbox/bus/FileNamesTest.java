package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileNamesTest {

  @Test
  void acceptsOrdinaryAndUnicodeNamesUpTo255Bytes() {
    for (String ok : List.of("a", "notes.txt", "my notes.txt", "--flag", "é", "日本語.md", "😀", ".hidden", "...",
        "a".repeat(255), "é".repeat(127) + "a")) {
      assertTrue(FileNames.isValid(ok), ok);
    }
  }

  @Test
  void refusesWhatTheSpecForbids() {
    List<String> bad = new ArrayList<>(List.of("", ".", "..", "a/b", "/etc/passwd", "..\\x", "a\\b", "a\u0000b",
        "tab\there", "line\nbreak", "del\u007f", "a".repeat(256), "é".repeat(128), "\ud800", "x\udc00y"));
    bad.add(null);
    for (String b : bad) assertFalse(FileNames.isValid(b), String.valueOf(b));
  }

  @Test
  void refusesCharactersThatMakeAListingLie() {
    // evil\u202etxt.exe renders as "evilexe.txt"; C1 controls and separators break or restyle a line.
    List<String> bad = new ArrayList<>(List.of("evil\u202etxt.exe", "a\u2028b", "a\u2029b", "a\u0080", "a\u0085b",
        "\u009f", "\u2066x", "x\u2069"));
    for (char c = 0x202A; c <= 0x202E; c++) bad.add("x" + c + "y");
    for (char c = 0x2066; c <= 0x2069; c++) bad.add("x" + c + "y");
    for (char c = 0x80; c <= 0x9F; c++) bad.add("x" + c + "y");
    for (String b : bad) {
      assertFalse(FileNames.isValid(b), () -> b.codePoints().mapToObj(Integer::toHexString).toList().toString());
    }
    // The neighbours stay valid: no over-blocking of ordinary text.
    for (String ok : List.of("\u00a0x", "x\u00a1", "\u2027", "\u2030", "\u2065", "\u206a", "\u202f",
        "שלום.txt", "مرحبا.txt")) {
      assertTrue(FileNames.isValid(ok), ok);
    }
  }

  @Test
  void ordersByUnsignedUtf8Bytes() {
    List<String> names = new ArrayList<>(List.of("b", "a", "Z", "é", "aa", "😀", "\uffee"));
    names.sort(FileNames::compareUtf8);
    assertEquals(List.of("Z", "a", "aa", "b", "é", "\uffee", "😀"), names);
  }

  @Test
  void everyErrorCodeRoundTripsItsNumber() {
    for (ErrorCode c : ErrorCode.values()) assertEquals(c, ErrorCode.fromNumber(c.number()));
  }
}
