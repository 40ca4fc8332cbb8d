package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dropbox.bus.TreePath;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The rules of LookupCache, each interleaving of a lookup with a write played out in order: an answer comes
 * from the cache only when no write is in flight and none ended since it was read.
 */
class LookupCacheTest {
  private final LookupCache cache = new LookupCache();
  private final AtomicInteger queries = new AtomicInteger();
  private static final TreePath PATH = TreePath.parse("a/b.txt");

  private static StoredFile file(String sha, int inlineBytes) {
    return new StoredFile(new Node(7, 1L, "b.txt", Node.Kind.FILE, 3, sha, 1, 1), new byte[inlineBytes]);
  }

  /** A lookup that counts the queries it stands for and may run something in the middle of one. */
  private Supplier<StoredFile> query(StoredFile answer, Runnable during) {
    return () -> {
      queries.incrementAndGet();
      during.run();
      return answer;
    };
  }

  private Supplier<StoredFile> query(StoredFile answer) { return query(answer, () -> {}); }

  @Test
  void aSecondLookupOfAnUnchangedTreeIsAnsweredFromTheCache() {
    StoredFile v1 = file("1", 3);
    assertSame(v1, cache.find(1, PATH, query(v1)));
    assertSame(v1, cache.find(1, PATH, query(file("other", 3))));
    assertEquals(1, queries.get());
    // Another user's same path is another entry.
    cache.find(2, PATH, query(file("2", 3)));
    assertEquals(2, queries.get());
  }

  /** peek (the event loop's question) answers exactly when find would answer from the cache, and never queries. */
  @Test
  void peekAnswersOnlyWhatAFindWouldTakeFromTheCache() {
    assertNull(cache.peek(1, PATH), "nothing read yet");
    StoredFile v1 = file("1", 3);
    cache.find(1, PATH, query(v1));
    assertSame(v1, cache.peek(1, PATH));
    assertNull(cache.peek(2, PATH), "another user's path");
    cache.writeStarted();
    assertNull(cache.peek(1, PATH), "a write in flight may have committed already");
    cache.writeEnded();
    assertNull(cache.peek(1, PATH), "a write ended since it was read");
    assertEquals(1, queries.get());
  }

  @Test
  void anEndedWriteDropsEverything() {
    cache.find(1, PATH, query(file("1", 3)));
    cache.writeStarted();
    cache.writeEnded();
    StoredFile v2 = file("2", 3);
    assertSame(v2, cache.find(1, PATH, query(v2)));
    assertSame(v2, cache.find(1, PATH, query(file("3", 3))), "the new answer is kept in turn");
    assertEquals(2, queries.get());
  }

  @Test
  void whileAWriteIsInFlightEveryLookupAsksTheDatabaseAndNothingIsKept() {
    StoredFile v1 = file("1", 3);
    cache.find(1, PATH, query(v1));
    cache.writeStarted();
    StoredFile v2 = file("2", 3);
    // Its commit may already be visible in the database: the cached v1 must not hide it.
    assertSame(v2, cache.find(1, PATH, query(v2)));
    assertSame(v2, cache.find(1, PATH, query(v2)));
    assertEquals(3, queries.get());
    cache.writeEnded();
    StoredFile v3 = file("3", 3);
    assertSame(v3, cache.find(1, PATH, query(v3)), "nothing read during the write was kept");
  }

  @Test
  void aLookupOverlappingAWholeWriteIsNotKept() {
    StoredFile old = file("old", 3);
    // The query read the old row; a write started and ended before the lookup finished.
    assertSame(old, cache.find(1, PATH, query(old, () -> {
      cache.writeStarted();
      cache.writeEnded();
    })));
    StoredFile fresh = file("new", 3);
    assertSame(fresh, cache.find(1, PATH, query(fresh)));
    assertEquals(2, queries.get());
  }

  @Test
  void aLookupDuringWhichAWriteBeganIsNotKept() {
    StoredFile old = file("old", 3);
    cache.find(1, PATH, query(old, cache::writeStarted));
    cache.writeEnded();
    StoredFile fresh = file("new", 3);
    assertSame(fresh, cache.find(1, PATH, query(fresh)));
  }

  @Test
  void missingFilesAreNotKept() {
    cache.find(1, PATH, query(null));
    cache.find(1, PATH, query(null));
    assertEquals(2, queries.get());
    assertEquals(0, cache.size());
  }

  @Test
  void boundedInEntriesAndInInlineBytes() {
    for (int i = 0; i < LookupCache.MAX_ENTRIES + 50; i++) {
      cache.find(1, TreePath.parse("f" + i), query(file(Integer.toString(i), 0)));
    }
    assertEquals(LookupCache.MAX_ENTRIES, cache.size());
    cache.writeStarted();
    cache.writeEnded();
    assertEquals(0, cache.size(), "a write empties it");
    int big = 64 * 1024;
    for (int i = 0; i < 1000; i++) cache.find(1, TreePath.parse("g" + i), query(file(Integer.toString(i), big)));
    assertEquals(LookupCache.MAX_INLINE_BYTES / big, cache.size());
  }
}
