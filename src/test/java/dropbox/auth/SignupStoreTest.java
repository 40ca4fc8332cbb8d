package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store alone, driven from plain threads, as two nodes sharing one directory would. */
class SignupStoreTest {
  @TempDir Path tmp;

  @Test
  void racingCreatesFromSeveralStoresLetExactlyOneWin() throws Exception {
    Path dir = tmp.resolve("accounts");
    int n = 16;
    List<SignupStore> stores = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SignupStore s = new SignupStore(dir, 1000, true);
      s.initBlocking();
      stores.add(s);
    }
    ExecutorService threads = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        SignupStore s = stores.get(i);
        String spelling = i % 2 == 0 ? "Racer" : "racer";
        String pw = "pw" + i;
        results.add(threads.submit(() -> {
          go.await();
          try {
            s.create(spelling, pw);
            return true;
          } catch (SignupStore.ExistsException e) {
            return false;
          }
        }));
      }
      go.countDown();
      int winners = 0;
      int winner = -1;
      for (int i = 0; i < n; i++) {
        if (results.get(i).get(30, TimeUnit.SECONDS)) {
          winners++;
          winner = i;
        }
      }
      assertEquals(1, winners);
      String canonical = winner % 2 == 0 ? "Racer" : "racer";
      assertEquals(canonical, stores.get(0).verify("RACER", "pw" + winner));
      for (int i = 0; i < n; i++) {
        if (i != winner) assertNull(stores.get(0).verify("racer", "pw" + i), "loser " + i + " must not own the name");
      }
    } finally {
      threads.shutdownNow();
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("racer.json")), s.toList(), "no temp files left behind");
    }
  }

  @Test
  void accountFilesAreOwnerOnly() throws Exception {
    SignupStore s = new SignupStore(tmp.resolve("accounts"), 1000, false);
    s.initBlocking();
    s.create("Owner", "pass");
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("accounts/owner.json"))));
    assertThrows(SignupStore.ExistsException.class, () -> s.create("OWNER", "pass"));
  }

  @Test
  void startupRemovesOnlyStaleTempFiles() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("accounts"));
    Path stale = Files.writeString(dir.resolve(".tmp-old-0011"), "x");
    Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 2 * 3600_000L));
    Path fresh = Files.writeString(dir.resolve(".tmp-new-2233"), "x");
    new SignupStore(dir, 1000, false).initBlocking();
    assertFalse(Files.exists(stale));
    assertEquals(true, Files.exists(fresh), "a temp file may belong to another node's sign-up in progress");
  }
}
