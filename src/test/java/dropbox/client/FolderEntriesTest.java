package dropbox.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The folder table as the server prints it (tcp-protocol.md), read back into names and kinds. */
class FolderEntriesTest {
  @Test
  void foldersFilesAndNamesWithSpacesAndNumbers() throws Exception {
    String listing = String.join("\n",
        "=== File Listing for bob: docs ===",
        "",
        "Filename                       Size       Modified",
        "--------                       ----       --------",
        "2025/                          -          2026-12-01 22:36:01",
        "my photos/                     -          2026-12-01 22:36:01",
        "report 2 final.pdf             10         2026-12-01 22:36:02",
        "a-name-longer-than-thirty-characters.txt 123456789 2026-12-01 22:36:03",
        "- 5                            7          2026-12-01 22:36:04",
        "Usage: 123456806 of 104857600 bytes (3 files)",
        "");
    assertEquals(List.of(
        new FolderEntries.Entry("2025", true),
        new FolderEntries.Entry("my photos", true),
        new FolderEntries.Entry("report 2 final.pdf", false),
        new FolderEntries.Entry("a-name-longer-than-thirty-characters.txt", false),
        new FolderEntries.Entry("- 5", false)), FolderEntries.parse(listing));
  }

  @Test
  void anEmptyFolderHasNoEntriesAndAStrangeLineIsAnError() throws Exception {
    assertEquals(List.of(), FolderEntries.parse(
        "=== File Listing for bob: empty ===\n\nNo files found.\nUsage: 0 of 100 bytes (0 files)\n"));
    assertThrows(ClientException.class, () -> FolderEntries.parse(
        "=== File Listing for bob: x ===\n\nFilename Size Modified\n-------- ---- --------\ngarbage\nUsage: 0 of 1 bytes (0 files)\n"));
  }
}
