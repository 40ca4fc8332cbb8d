package dropbox.storage.meta;

import dropbox.bus.TreePath;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The files looked up by path since the database last changed, for the embedded SQLite only, where this
 * process is the database's one writer (the storage root's lock keeps a second server out, and fsck
 * --repair too). A download of a file of an unchanged tree then costs a map lookup instead of a SQLite
 * query: measured with wrk (4 KiB GET, 32 connections), the storage workers' CPU per request fell from
 * ~13 to ~6-7 us of the ~32 us the whole server spends on one.
 *
 * <p>Why it cannot show anything the database does not: every write transaction, committed or not, is
 * bracketed by {@link #writeStarted} and {@link #writeEnded}, which counts one more change. A lookup is
 * answered from here only while no write is in flight and nothing changed since the entry was read; a
 * lookup is kept only if no write was in flight from before its query until after it and none ended in
 * between, so the row it read was the committed state all along. A reader overlapping a write either
 * answers before it or goes to the database, so the commit stays the one point where a change becomes
 * visible. Any write empties the whole cache (one count for the database, not one per user or path): no
 * write path can forget to invalidate, at the price of no hits while writes keep coming.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} files and {@link #MAX_INLINE_BYTES} of their inline bytes; past
 * either, lookups go to the database until the next change starts a new generation.
 */
final class LookupCache {
  static final int MAX_ENTRIES = 10_000;
  static final long MAX_INLINE_BYTES = 16L << 20;

  private record Key(long userId, TreePath path) {}

  /** The entries read in one generation (one value of {@link #changes}). */
  private static final class Generation {
    final long number;
    final ConcurrentHashMap<Key, StoredFile> files = new ConcurrentHashMap<>();
    final AtomicLong inlineBytes = new AtomicLong();

    Generation(long number) { this.number = number; }
  }

  private final AtomicLong changes = new AtomicLong();
  private final AtomicInteger writing = new AtomicInteger();
  private final AtomicReference<Generation> current = new AtomicReference<>(new Generation(-1));

  /** Before a write transaction begins. */
  void writeStarted() {
    writing.incrementAndGet();
  }

  /**
   * After it ended (committed, rolled back or failed). The count moves before the write leaves the in-flight
   * set, so no reader can see "no write in flight" with the old count once the commit happened.
   */
  void writeEnded() {
    changes.incrementAndGet();
    writing.decrementAndGet();
  }

  /** The file at path for this user: from the cache when it may, else from lookup (kept when it may). */
  StoredFile find(long userId, TreePath path, Supplier<StoredFile> lookup) {
    Key key = new Key(userId, path);
    boolean quiet = writing.get() == 0;
    long seen = changes.get();
    if (quiet) {
      Generation g = current.get();
      if (g.number == seen) {
        StoredFile hit = g.files.get(key);
        if (hit != null) return hit;
      }
    }
    StoredFile found = lookup.get();
    if (found != null && quiet && writing.get() == 0 && changes.get() == seen) keep(seen, key, found);
    return found;
  }

  /**
   * The file at path when this cache may answer for it now, else null; never queries, so an event loop
   * may ask (StorageVerticle answers a download of a small file from here without a worker). The same
   * test as a hit of {@link #find}: no write in flight and nothing changed since the entry was read.
   */
  StoredFile peek(long userId, TreePath path) {
    if (writing.get() != 0) return null;
    long seen = changes.get();
    Generation g = current.get();
    return g.number == seen ? g.files.get(new Key(userId, path)) : null;
  }

  private void keep(long generation, Key key, StoredFile file) {
    Generation g = current.get();
    while (g.number != generation) {
      // A reader of a newer generation replaced it first: this entry is stale, dropped.
      if (g.number > generation) return;
      Generation fresh = new Generation(generation);
      g = current.compareAndSet(g, fresh) ? fresh : current.get();
    }
    long bytes = file.inline() == null ? 0 : file.inline().length;
    if (g.files.size() >= MAX_ENTRIES || g.inlineBytes.get() + bytes > MAX_INLINE_BYTES) return;
    if (g.files.putIfAbsent(key, file) == null) g.inlineBytes.addAndGet(bytes);
  }

  /** Files held now (tests). */
  int size() {
    Generation g = current.get();
    return g.number == changes.get() ? g.files.size() : 0;
  }
}
