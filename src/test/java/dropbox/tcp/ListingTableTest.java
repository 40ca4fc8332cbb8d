package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dropbox.bus.FileInfo;
import dropbox.bus.Listing;
import dropbox.bus.Usage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListingTableTest {
  private static final long T = Instant.parse("2026-11-25T14:00:00Z").toEpochMilli();

  private static FileInfo file(String name, long size, long modified) {
    return new FileInfo(name, size, "00", modified, modified);
  }

  @Test
  void matchesTheSpecExampleByteForByte() {
    Listing l = new Listing(List.of(file("notes.txt", 1234, T)), new Usage(1234, 104857600, 1));
    String expected = "=== File Listing for alice ===\n"
        + "\n"
        + "Filename                       Size       Modified\n"
        + "--------                       ----       --------\n"
        + "notes.txt                      1234       2026-11-25 14:00:00\n"
        + "Usage: 1234 of 104857600 bytes (1 files)\n";
    assertEquals(expected, ListingTable.format("alice", l));
  }

  @Test
  void emptyListing() {
    Listing l = new Listing(List.of(), new Usage(0, 100, 0));
    assertEquals("=== File Listing for bob ===\n\nNo files found.\nUsage: 0 of 100 bytes (0 files)\n",
        ListingTable.format("bob", l));
  }

  @Test
  void paddingCountsCodePointsNotUtf16Units() {
    String name = "📄" + "é".repeat(3); // 4 code points, 5 UTF-16 units
    String out = ListingTable.format("u", new Listing(List.of(file(name, 7, T)), new Usage(7, 9, 1)));
    String row = out.split("\n")[4];
    assertEquals(name + " ".repeat(26) + " " + "7" + " ".repeat(9) + " 2026-11-25 14:00:00", row);
  }

  @Test
  void longNamesAreNotCutAndTimesAreUtc() {
    String name = "x".repeat(40);
    long t = Instant.parse("2026-01-02T03:04:05Z").toEpochMilli();
    String out = ListingTable.format("u", new Listing(List.of(file(name, 12345678901L, t)), new Usage(1, 2, 1)));
    assertEquals(name + " 12345678901 2026-01-02 03:04:05", out.split("\n")[4]);
  }

  @Test
  void noLineEndsWithASpaceAndOrderIsKept() {
    Listing l = new Listing(List.of(file("B", 1, T), file("a b  ", 2, T), file("c", 3, T)), new Usage(6, 10, 3));
    String out = ListingTable.format("u", l);
    for (String line : out.split("\n")) assertFalse(line.endsWith(" "), "[" + line + "]");
    String[] lines = out.split("\n");
    assertEquals("B", lines[4].substring(0, 1));
    assertEquals("a b  ", lines[5].substring(0, 5));
    assertEquals("c", lines[6].substring(0, 1));
    assertEquals("Usage: 6 of 10 bytes (3 files)", lines[7]);
  }

  @Test
  void usageLine() {
    assertEquals("Usage: 5 of 100 bytes (2 files)\n", ListingTable.usageLine(new Usage(5, 100, 2)));
  }
}
