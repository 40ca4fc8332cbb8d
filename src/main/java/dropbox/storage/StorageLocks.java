package dropbox.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The named locks both engines take, and how: one per user and one per file, file lock before user lock,
 * each held only for the critical section and released in reverse order on every path.
 */
final class StorageLocks {
  private final LockManager locks;
  private final long timeoutMs;

  StorageLocks(LockManager locks, long timeoutMs) {
    this.locks = locks;
    this.timeoutMs = timeoutMs;
  }

  static String userLock(String user) { return "dropbox.lock.u:" + user.toLowerCase(Locale.ROOT); }

  static String fileLock(String user, String name) {
    return "dropbox.lock.f:" + user.toLowerCase(Locale.ROOT) + "/" + StorageLayout.nameKey(name);
  }

  /** Runs body holding the named locks (taken in the order given); BUSY when one is not had in time. */
  <T> T with(StorageService.IoSupplier<T> body, String... names) {
    List<LockManager.Held> held = new ArrayList<>(names.length);
    try {
      for (String n : names) held.add(Blocking.await(locks.acquire(n, timeoutMs), timeoutMs + 1000));
      return body.get();
    } catch (IOException e) {
      throw StorageService.io(e);
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) held.get(i).release();
    }
  }
}
