package dropbox.auth;

import dropbox.files.PrivateFiles;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.hashing.HashingStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-service accounts: one JSON file per account, {@code <dir>/<lowercase name>.json}, holding the
 * canonical name, a salted PBKDF2 hash and the creation time. Uniqueness comes from the file system:
 * the file appears only through an exclusive create (hard link, else CREATE_NEW), which is atomic
 * across processes and nodes sharing the directory. Every method here blocks: call from a worker.
 */
final class SignupStore {
  static final int PRODUCTION_ITERATIONS = 100_000;
  private static final int SALT_BYTES = 16;
  /** An account file is a few hundred bytes; refuse to slurp anything absurd that ended up there. */
  private static final long MAX_FILE_BYTES = 64 * 1024;
  /** A temp file older than this was left by a crash (an in-flight sign-up takes well under a second). */
  private static final long STALE_TEMP_MILLIS = 60 * 60 * 1000L;
  private static final String TEMP_PREFIX = ".tmp-";

  private static final Logger LOG = LoggerFactory.getLogger(SignupStore.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** PBKDF2 shares one SecretKeyFactory per strategy, which is not documented as thread-safe. */
  private static final ThreadLocal<HashingStrategy> HASHING = ThreadLocal.withInitial(HashingStrategy::load);

  /** Thrown by {@link #create} when the name is taken. */
  static final class ExistsException extends Exception {
    ExistsException() { super(null, null, false, false); }
  }

  private final Path dir;
  private final int iterations;
  private final boolean fsync;
  /** A hash of a random password with this store's parameters: what an unknown name is checked against. */
  private volatile String dummyHash;

  SignupStore(Path dir, int iterations, boolean fsync) {
    this.dir = dir;
    this.iterations = iterations;
    this.fsync = fsync;
  }

  Path dir() {
    return dir;
  }

  /** Creates the directory, removes temp files that crashed sign-ups left behind, prepares the dummy hash. */
  void initBlocking() throws IOException {
    dummyHash();
    PrivateFiles.createDirectories(dir); // 0700, and every account file in it 0600
    long cutoff = System.currentTimeMillis() - STALE_TEMP_MILLIS;
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
      for (Path t : temps) {
        try {
          if (Files.getLastModifiedTime(t).toMillis() < cutoff) Files.deleteIfExists(t);
        } catch (IOException e) {
          LOG.warn("cannot remove stale temp file {}: {}", t, e.toString());
        }
      }
    }
  }

  boolean exists(String username) {
    return Files.exists(fileOf(username));
  }

  /** Hashes and stores a new account; the caller has validated the name and password. */
  void create(String canonical, String password) throws ExistsException, IOException {
    Path target = fileOf(canonical);
    // Cheap early answer that spares a slow hash; the exclusive create below is what decides.
    if (Files.exists(target)) throw new ExistsException();
    String hash = hash(password);
    byte[] content = new JsonObject()
        .put("username", canonical)
        .put("hash", hash)
        .put("created", Instant.now().toString())
        .encodePrettily().getBytes(StandardCharsets.UTF_8);

    Path temp = dir.resolve(TEMP_PREFIX + Usernames.key(canonical) + "-" + HexFormat.of().formatHex(randomBytes(8)));
    try {
      writeNew(temp, content);
      try {
        // link(2) fails with EEXIST atomically and publishes a file that is already complete.
        Files.createLink(target, temp);
      } catch (UnsupportedOperationException e) {
        // No hard links here: an exclusive create is still atomic, the file is just briefly short.
        writeNew(target, content);
      }
      syncDir();
    } catch (FileAlreadyExistsException e) {
      throw new ExistsException();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Checks a password. Returns the canonical name, or null for an unknown name or a wrong password.
   * An unknown name costs one hash check like a known one, so timing does not tell which names exist.
   * A damaged account file is an IOException (a server fault, not the user's).
   */
  String verify(String username, String password) throws IOException {
    Path file = fileOf(username);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) throw new IOException("account file too large: " + file);
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      dummyCheck(password);
      return null;
    }
    JsonObject account;
    String canonical;
    String hash;
    try {
      account = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
      canonical = account.getString("username");
      hash = account.getString("hash");
    } catch (RuntimeException e) {
      throw new IOException("damaged account file " + file + ": " + e.getMessage());
    }
    if (canonical == null || hash == null || !Usernames.key(canonical).equals(Usernames.key(username))) {
      throw new IOException("damaged account file " + file + ": missing or mismatched fields");
    }
    boolean ok;
    try {
      ok = HASHING.get().verify(hash, password);
    } catch (RuntimeException e) {
      throw new IOException("unreadable hash in " + file + ": " + e.getMessage());
    }
    return ok ? canonical : null;
  }

  /**
   * The cost of a password check without an account: one PBKDF2 verification with the same
   * parameters as a real account (iterations, salt and key length), its answer thrown away.
   */
  void dummyCheck(String password) {
    HASHING.get().verify(dummyHash(), password == null ? "" : password);
  }

  private String dummyHash() {
    String h = dummyHash;
    if (h == null) {
      h = hash(HexFormat.of().formatHex(randomBytes(16)));
      dummyHash = h;
    }
    return h;
  }

  private String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return HASHING.get().hash("pbkdf2", Map.of("it", Integer.toString(iterations)),
        Base64.getEncoder().encodeToString(salt), password);
  }

  private Path fileOf(String username) {
    return dir.resolve(Usernames.key(username) + ".json");
  }

  /** Exclusive create (FileAlreadyExistsException if taken); a file this call created is removed on failure. */
  private void writeNew(Path path, byte[] content) throws IOException {
    // Hashes are not secrets like passwords, but nobody else needs to read them either: 0600.
    // Opened outside the try: a FileAlreadyExistsException must not delete the other account's file.
    FileChannel ch = PrivateFiles.createNew(path);
    try (ch) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) ch.write(buf);
      if (fsync) ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  /** Makes the new directory entry durable; not every platform can open a directory, which is fine. */
  private void syncDir() {
    if (!fsync) return;
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
