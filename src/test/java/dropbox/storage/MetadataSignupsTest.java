package dropbox.storage;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.auth.Accounts;
import dropbox.auth.AuthService;
import dropbox.auth.Caller;
import dropbox.auth.SignupRepository;
import dropbox.auth.SignupRepositoryContract;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.hashing.HashingStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sign-up contract on the v2 database (SQLite at the storage root), and the one-time import of the
 * account files a v1 start left: idempotent, resumable, never replacing an account the database has.
 */
class MetadataSignupsTest extends SignupRepositoryContract {
  static final Caller ADDR = Caller.refused("127.0.0.1");

  MetadataStore openStore() throws Exception {
    Files.createDirectories(root());
    MetadataStore m = MetadataStores.openSqlite(root().resolve(MetadataStores.SQLITE_FILE), 4, 10_000,
        u -> 1_000_000L, System::currentTimeMillis);
    opened.add(m);
    return m;
  }

  @Override protected SignupRepository openRepository() throws Exception {
    return new MetadataSignups(openStore(), "test database");
  }

  @Override protected SignupRepository forAccounts() throws Exception {
    return openRepository();
  }

  /** An account file exactly as v1's SignupStore writes it. */
  Path v1AccountFile(String name, String password) throws Exception {
    Path dir = Files.createDirectories(root().resolve("accounts"));
    String hash = HashingStrategy.load().hash("pbkdf2", Map.of("it", "1000"), "c2FsdHNhbHRzYWx0c2FsdA==", password);
    return Files.writeString(dir.resolve(name.toLowerCase() + ".json"), new JsonObject()
        .put("username", name).put("hash", hash).put("created", "2026-11-30T10:00:00Z").encodePrettily());
  }

  List<Path> accountFiles() throws Exception {
    try (Stream<Path> s = Files.list(root().resolve("accounts"))) {
      return s.sorted().toList();
    }
  }

  /**
   * The database out of reach (the pool's wait for a connection timed out: BUSY) is "busy" to the
   * caller, which TCP and REST answer as "try again"; it was "Internal error". The store here is a
   * stand-in that fails every call that way (stopping a real database takes the pool's 10 s timeout).
   */
  @Test
  void anUnreachableDatabaseIsBusyNotAnInternalError() {
    MetadataStore unreachable = (MetadataStore) java.lang.reflect.Proxy.newProxyInstance(
        MetadataStore.class.getClassLoader(), new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> {
          throw dropbox.bus.StorageException.of(dropbox.bus.ErrorCode.BUSY, "Server busy, please try again later");
        });
    MetadataSignups signups = new MetadataSignups(unreachable, "test");
    dropbox.auth.AuthException find = org.junit.jupiter.api.Assertions.assertThrows(
        dropbox.auth.AuthException.class, () -> signups.find("alice"));
    assertEquals(dropbox.auth.AuthException.Reason.BUSY, find.reason());
    dropbox.auth.AuthException insert = org.junit.jupiter.api.Assertions.assertThrows(dropbox.auth.AuthException.class,
        () -> signups.insert(new SignupRepository.Signup("alice", "hash", 1L)));
    assertEquals(dropbox.auth.AuthException.Reason.BUSY, insert.reason());
  }

  @Test
  void accountFilesAreImportedOnceThenRemoved(Vertx vertx) throws Exception {
    v1AccountFile("Olga", "olgapass");
    v1AccountFile("pete", "petepass");
    MetadataStore meta = openStore();
    AuthService a = Accounts.create(vertx, config(), new MetadataSignups(meta, "db")).await(60, SECONDS);
    assertEquals(List.of(), accountFiles(), "imported files are removed");
    assertEquals("Olga", a.login("OLGA", "olgapass", ADDR).await(30, SECONDS));
    assertEquals("pete", a.login("pete", "petepass", ADDR).await(30, SECONDS));
    assertEquals(java.time.Instant.parse("2026-11-30T10:00:00Z").toEpochMilli(), meta.findAccount("olga").orElseThrow().created(), "creation time kept");
    ((Accounts) a).close().await(30, SECONDS);

    // Again on the same root: nothing to do, the accounts still work.
    AuthService again = Accounts.create(vertx, config(), new MetadataSignups(meta, "db")).await(60, SECONDS);
    assertEquals("Olga", again.login("olga", "olgapass", ADDR).await(30, SECONDS));
    ((Accounts) again).close().await(30, SECONDS);
  }

  @Test
  void anImportCutShortResumesAndTheDatabaseAccountWins(Vertx vertx) throws Exception {
    MetadataStore meta = openStore();
    // A crash after this insert committed but before its file was removed:
    Path resumed = v1AccountFile("Rita", "ritapass");
    String ritaHash = new JsonObject(Files.readString(resumed)).getString("hash");
    assertTrue(meta.createAccount("Rita", ritaHash, 1L));
    // A name signed up in the database meanwhile (another node already on v2), with another password:
    assertTrue(meta.createAccount("sam", HashingStrategy.load().hash("pbkdf2", Map.of("it", "1000"),
        "b3RoZXJzYWx0b3RoZXJzYQ==", "dbpass"), 2L));
    Path conflicting = v1AccountFile("Sam", "filepass");
    Path damaged = Files.writeString(root().resolve("accounts/tom.json"), "{not json");
    v1AccountFile("ursula", "urspass");

    AuthService a = Accounts.create(vertx, config(), new MetadataSignups(meta, "db")).await(60, SECONDS);
    assertEquals("Rita", a.login("rita", "ritapass", ADDR).await(30, SECONDS));
    assertEquals("ursula", a.login("ursula", "urspass", ADDR).await(30, SECONDS));
    assertEquals("sam", a.login("sam", "dbpass", ADDR).await(30, SECONDS), "the database's account is kept as is");
    assertEquals(List.of(conflicting, damaged), accountFiles(),
        "only what could not be imported stays, for the operator");
    assertEquals(1L, meta.findAccount("rita").orElseThrow().created(), "the committed row is not rewritten");
    ((Accounts) a).close().await(30, SECONDS);
  }
}
