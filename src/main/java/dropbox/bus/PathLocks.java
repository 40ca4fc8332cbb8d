package dropbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;

/**
 * The WebDAV write locks of every user, cluster-wide: one SharedData map entry per user (the JSON array of
 * that user's locks), changed only under that user's SharedData lock, so a lock taken through one node is
 * seen and honoured by every node. Expired locks are ignored on read and dropped on the next change.
 * StorageClient consults it before every change, so REST and TCP honour the locks WebDAV takes.
 */
public final class PathLocks {
  static final String MAP = "dropbox.pathLocks";
  private static final long MUTEX_TIMEOUT_MS = 10_000;
  /**
   * Live locks one user may hold at once. Every write of the user reads the whole list (on an event loop),
   * so it must stay small: a client locks what it is writing (a handful of files); more is refused 507.
   */
  public static final int MAX_PER_USER = 256;
  /** The owner XML a lock keeps and hands back in every lockdiscovery (a name or an href in practice). */
  public static final int MAX_OWNER_CHARS = 1024;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;

  public PathLocks(Vertx vertx) { this.vertx = vertx; }

  /** A write about to happen: the path, and whether everything below it is written too (a folder removed). */
  public record Target(String path, boolean subtree) {}

  /** The user's live locks. */
  public Future<List<PathLock>> locks(String user) {
    return map().compose(m -> m.get(user)).map(v -> live(v, System.currentTimeMillis()));
  }

  /**
   * Fails LOCKED unless the given tokens unlock every target: each exclusive lock guarding it by its own
   * token, and the shared locks guarding it by the token of any one of them (RFC 4918 6.1: a shared lock
   * is held by several principals, each writing with its own token, not with everyone's).
   */
  public Future<Void> check(String user, Collection<String> tokens, Target... targets) {
    return locks(user).compose(all -> {
      for (Target t : targets) {
        boolean shared = false;
        boolean sharedHeld = false;
        for (PathLock l : all) {
          if (!guards(l, t)) continue;
          boolean held = tokens.contains(l.token());
          if (l.exclusive() && !held) return Future.failedFuture(new StorageException(ErrorCode.LOCKED, "File is locked"));
          if (!l.exclusive()) {
            shared = true;
            sharedHeld |= held;
          }
        }
        if (shared && !sharedHeld) return Future.failedFuture(new StorageException(ErrorCode.LOCKED, "File is locked"));
      }
      return Future.succeededFuture();
    });
  }

  /** Whether a write to the target needs this lock's token (a removed subtree needs the locks inside it too). */
  private static boolean guards(PathLock l, Target t) {
    return l.covers(t.path()) || (t.subtree() && (l.path().equals(t.path()) || PathLock.within(l.path(), t.path())));
  }

  /** Takes a new lock (its token is made here); LOCKED when it conflicts with a live one. */
  public Future<PathLock> lock(String user, String path, boolean exclusive, boolean infinite, String owner,
                               long timeoutSeconds) {
    if (owner.length() > MAX_OWNER_CHARS) {
      return Future.failedFuture(new StorageException(ErrorCode.BAD_REQUEST,
          "A lock's owner is limited to " + MAX_OWNER_CHARS + " characters"));
    }
    long now = System.currentTimeMillis();
    PathLock wanted = new PathLock(newToken(), path, exclusive, infinite, owner,
        timeoutSeconds, now + timeoutSeconds * 1000);
    return change(user, list -> {
      for (PathLock l : list) {
        if (overlap(l, wanted) && (l.exclusive() || exclusive)) {
          throw new StorageException(ErrorCode.LOCKED, "File is locked");
        }
      }
      if (list.size() >= MAX_PER_USER) {
        throw new StorageException(ErrorCode.QUOTA_EXCEEDED,
            "Too many locks: at most " + MAX_PER_USER + " at once per user; unlock or let some expire");
      }
      list.add(wanted);
      return wanted;
    });
  }

  /** Renews a live lock; null when there is no such lock on a path covering path. */
  public Future<PathLock> refresh(String user, String token, String path, long timeoutSeconds) {
    long now = System.currentTimeMillis();
    return change(user, list -> {
      for (int i = 0; i < list.size(); i++) {
        PathLock l = list.get(i);
        if (l.token().equals(token) && (l.path().equals(path) || l.covers(path))) {
          PathLock renewed = new PathLock(l.token(), l.path(), l.exclusive(), l.infinite(), l.owner(), timeoutSeconds,
              now + timeoutSeconds * 1000);
          list.set(i, renewed);
          return renewed;
        }
      }
      return null;
    });
  }

  /** Removes a lock; false when no live lock with that token covers path. */
  public Future<Boolean> unlock(String user, String token, String path) {
    return change(user, list -> list.removeIf(l -> l.token().equals(token) && (l.path().equals(path) || l.covers(path))));
  }

  /** Forgets the locks on a path and below it (it was deleted or moved away). */
  public Future<Void> forget(String user, String path) {
    return change(user, list -> {
      list.removeIf(l -> l.path().equals(path) || PathLock.within(l.path(), path));
      return null;
    });
  }

  /**
   * A lock token: an absolute URI (RFC 4918 6.5) with 128 random bits. Kept short on purpose: clients
   * build If headers of a token plus a 66-character ETag twice, and some (litmus) cut them at 200 bytes.
   */
  static String newToken() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return "urn:lock:" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static boolean overlap(PathLock a, PathLock b) {
    return a.path().equals(b.path()) || (a.infinite() && PathLock.within(b.path(), a.path()))
        || (b.infinite() && PathLock.within(a.path(), b.path()));
  }

  private <R> Future<R> change(String user, Function<List<PathLock>, R> edit) {
    return vertx.sharedData().getLockWithTimeout(MAP + "." + user, MUTEX_TIMEOUT_MS).compose(mutex ->
        map().compose(m -> m.get(user).compose(v -> {
          List<PathLock> list = live(v, System.currentTimeMillis());
          R r;
          try {
            r = edit.apply(list);
          } catch (StorageException e) {
            return Future.<R>failedFuture(e);
          }
          Future<Void> stored = list.isEmpty() ? m.remove(user).mapEmpty() : m.put(user, encode(list));
          return stored.map(x -> r);
        })).andThen(x -> release(mutex)));
  }

  private static void release(Lock mutex) { mutex.release(); }

  private static List<PathLock> live(String value, long now) {
    List<PathLock> out = new ArrayList<>();
    if (value == null) return out;
    for (Object o : new JsonArray(value)) {
      PathLock l = PathLock.fromJson((io.vertx.core.json.JsonObject) o);
      if (l.expires() > now) out.add(l);
    }
    return out;
  }

  private static String encode(List<PathLock> list) {
    JsonArray a = new JsonArray();
    list.forEach(l -> a.add(l.toJson()));
    return a.encode();
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().<String, String>getAsyncMap(MAP);
  }
}
