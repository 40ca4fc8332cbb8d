package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lock table on a real (local) Vert.x SharedData: who may write under exclusive and shared locks, and
 * the bounds that keep a user's table small, since every write of that user reads all of it.
 */
class PathLocksTest {
  private Vertx vertx;
  private PathLocks locks;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    locks = new PathLocks(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private PathLock lock(String path, boolean exclusive, String owner) throws Exception {
    return locks.lock("alice", path, exclusive, false, owner, 600).await(10, TimeUnit.SECONDS);
  }

  /** The error code a check or lock failed with, or null when it succeeded. */
  private static ErrorCode outcome(Future<?> f) throws Exception {
    Throwable t = f.map(v -> (Throwable) null).otherwise(e -> e).await(10, TimeUnit.SECONDS);
    if (t == null) return null;
    return assertInstanceOf(StorageException.class, t).code();
  }

  private ErrorCode write(String path, String... tokens) throws Exception {
    return outcome(locks.check("alice", Set.of(tokens), new PathLocks.Target(path, false)));
  }

  @Test
  void eachHolderOfASharedLockWritesWithItsOwnToken() throws Exception {
    PathLock a = lock("doc.txt", false, "a");
    PathLock b = lock("doc.txt", false, "b");
    assertEquals(ErrorCode.LOCKED, write("doc.txt"), "without a token");
    assertEquals(ErrorCode.LOCKED, write("doc.txt", "urn:lock:other"));
    assertEquals(null, write("doc.txt", a.token()), "a's token alone (before: every shared token was needed)");
    assertEquals(null, write("doc.txt", b.token()));
    assertEquals(null, write("free.txt"));
  }

  @Test
  void anExclusiveLockNeedsItsOwnToken() throws Exception {
    PathLock folder = locks.lock("alice", "docs", true, true, "", 600).await(10, TimeUnit.SECONDS);
    assertEquals(ErrorCode.LOCKED, write("docs/a.txt"));
    assertEquals(null, write("docs/a.txt", folder.token()));
    assertEquals(ErrorCode.LOCKED, outcome(locks.lock("alice", "docs/a.txt", false, false, "", 600)),
        "a shared lock inside an exclusive one conflicts");
    assertEquals(ErrorCode.LOCKED, outcome(locks.check("alice", Set.of(), new PathLocks.Target("", true))),
        "removing the tree that holds it needs the token too");
  }

  @Test
  void aUserHoldsAtMostMaxPerUserLocksAndOwnersAreShort() throws Exception {
    assertEquals(ErrorCode.BAD_REQUEST, outcome(locks.lock("alice", "x.txt", true, false,
        "o".repeat(PathLocks.MAX_OWNER_CHARS + 1), 600)));
    lock("x.txt", true, "o".repeat(PathLocks.MAX_OWNER_CHARS));
    for (int i = 1; i < PathLocks.MAX_PER_USER; i++) lock("f" + i, true, "");
    assertEquals(PathLocks.MAX_PER_USER, locks.locks("alice").await(10, TimeUnit.SECONDS).size());
    assertEquals(ErrorCode.QUOTA_EXCEEDED, outcome(locks.lock("alice", "one-more", true, false, "", 600)));
    assertEquals(null, outcome(locks.lock("bob", "one-more", true, false, "", 600)), "the bound is per user");
    PathLock first = locks.locks("alice").await(10, TimeUnit.SECONDS).get(1);
    assertEquals(true, locks.unlock("alice", first.token(), first.path()).await(10, TimeUnit.SECONDS));
    assertEquals(null, outcome(locks.lock("alice", "one-more", true, false, "", 600)), "an unlock makes room");
    assertEquals(List.of(), locks.locks("carol").await(10, TimeUnit.SECONDS));
  }
}
