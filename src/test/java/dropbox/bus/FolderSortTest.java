package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The sort words of a folder listing and their trip through a LIST_FOLDER command. */
class FolderSortTest {
  @Test
  void wordsAreParsedStrictlyAndFoldersComeFirstOnlyByName() {
    assertEquals(FolderSort.DEFAULT, FolderSort.parse(null, null));
    assertEquals(new FolderSort(FolderSort.Key.SIZE, true), FolderSort.parse("size", "desc"));
    assertEquals(new FolderSort(FolderSort.Key.MODIFIED, false), FolderSort.parse("modified", "asc"));
    assertTrue(FolderSort.parse("name", "desc").foldersFirst());
    assertFalse(FolderSort.parse("size", null).foldersFirst());
    assertFalse(FolderSort.parse("modified", null).foldersFirst());
    for (String[] bad : new String[][] {{"Name", null}, {"", null}, {"colour", null}, {null, "DESC"}, {null, ""},
        {null, "up"}}) {
      StorageException e = assertThrows(StorageException.class, () -> FolderSort.parse(bad[0], bad[1]));
      assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }
  }

  @Test
  void aCommandCarriesTheSortAndAnOldCommandMeansTheDefault() {
    for (FolderSort.Key k : FolderSort.Key.values()) {
      for (boolean desc : new boolean[] {false, true}) {
        FolderSort s = new FolderSort(k, desc);
        assertEquals(s, FolderSort.readFrom(s.writeTo(new JsonObject())));
      }
    }
    assertEquals(FolderSort.DEFAULT, FolderSort.readFrom(new JsonObject().put("name", "docs")));
    assertEquals(ErrorCode.BAD_REQUEST,
        assertThrows(StorageException.class, () -> FolderSort.readFrom(new JsonObject().put("sort", 3))).code());
  }
}
