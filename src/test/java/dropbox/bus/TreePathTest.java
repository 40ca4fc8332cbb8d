package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The path rules of tcp-protocol.md "Paths and folders". */
class TreePathTest {
  @Test
  void validPathsSplitIntoSegments() {
    TreePath p = TreePath.parse("a/b c/é.txt");
    assertEquals(List.of("a", "b c", "é.txt"), p.segments());
    assertEquals("é.txt", p.name());
    assertEquals("a/b c", p.parent().toString());
    assertEquals(TreePath.ROOT, TreePath.parse("a").parent());
    assertTrue(TreePath.parse("").isRoot());
    assertEquals("a/b", TreePath.ROOT.child("a").child("b").toString());
    assertTrue(TreePath.isValid("x"));
    assertFalse(TreePath.isValid(""), "the root is not a file or folder name");
  }

  @Test
  void malformedPathsAreRefused() {
    for (String bad : List.of("/a", "a/", "a//b", "/", "a/../b", "a/./b", "..", "a\\b", "a/\u0001", "a/b\u0000")) {
      StorageException e = assertThrows(StorageException.class, () -> TreePath.parse(bad), bad);
      assertEquals(ErrorCode.INVALID_NAME, e.code());
    }
    assertThrows(StorageException.class, () -> TreePath.parse(null));
  }

  @Test
  void limitsAre64SegmentsAnd4000Bytes() {
    String deep = String.join("/", java.util.Collections.nCopies(64, "d"));
    assertEquals(64, TreePath.parse(deep).depth());
    assertThrows(StorageException.class, () -> TreePath.parse(deep + "/d"));
    String seg = "x".repeat(250);
    String big = String.join("/", java.util.Collections.nCopies(16, seg)); // 16*250 + 15 = 4015 bytes
    assertThrows(StorageException.class, () -> TreePath.parse(big));
    assertEquals(4000, TreePath.parse(big.substring(0, 4000)).toString().length());
  }

  @Test
  void withinMeansTheSameOrBelowBySegments() {
    assertTrue(TreePath.parse("a/b").isWithin(TreePath.parse("a")));
    assertTrue(TreePath.parse("a").isWithin(TreePath.parse("a")));
    assertFalse(TreePath.parse("ab").isWithin(TreePath.parse("a")));
    assertFalse(TreePath.parse("a").isWithin(TreePath.parse("a/b")));
    assertTrue(TreePath.parse("a").isWithin(TreePath.ROOT));
  }
}
