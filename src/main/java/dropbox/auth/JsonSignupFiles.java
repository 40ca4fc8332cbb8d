package dropbox.auth;

import dropbox.files.PrivateFiles;
import io.vertx.core.json.JsonObject;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-ups as files: {@code <dir>/<lowercase name>.json}, holding the canonical name, the hash and the
 * creation time. Uniqueness comes from the file system: the file appears only through an exclusive create
 * (hard link, else CREATE_NEW), which is atomic across processes and nodes sharing the directory.
 * The store of storage.engine=v1, and the source of the one-time import into the database on v2.
 */
final class JsonSignupFiles implements SignupRepository {
  /** An account file is a few hundred bytes; refuse to slurp anything absurd that ended up there. */
  private static final long MAX_FILE_BYTES = 64 * 1024;
  /** A temp file older than this was left by a crash (an in-flight sign-up takes well under a second). */
  private static final long STALE_TEMP_MILLIS = 60 * 60 * 1000L;
  private static final String TEMP_PREFIX = ".tmp-";
  private static final String SUFFIX = ".json";

  private static final Logger LOG = LoggerFactory.getLogger(JsonSignupFiles.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final boolean fsync;

  JsonSignupFiles(Path dir, boolean fsync) {
    this.dir = dir;
    this.fsync = fsync;
  }

  Path dir() {
    return dir;
  }

  @Override public String describe() {
    return dir.toString();
  }

  /** Creates the directory, removes temp files that crashed sign-ups left behind. */
  @Override public void init() throws IOException {
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

  @Override public boolean insert(Signup s) throws IOException {
    Path target = fileOf(s.name());
    byte[] content = new JsonObject()
        .put("username", s.name())
        .put("hash", s.hash())
        .put("created", Instant.ofEpochMilli(s.createdMillis()).toString())
        .encodePrettily().getBytes(StandardCharsets.UTF_8);
    byte[] rnd = new byte[8];
    RANDOM.nextBytes(rnd);
    Path temp = dir.resolve(TEMP_PREFIX + Usernames.key(s.name()) + "-" + HexFormat.of().formatHex(rnd));
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
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override public Signup find(String name) throws IOException {
    return read(fileOf(name), name);
  }

  /** The account files (not temp files), for the import into the database. */
  List<Path> files() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> all = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : all) {
        if (!p.getFileName().toString().startsWith(TEMP_PREFIX) && Files.isRegularFile(p)) out.add(p);
      }
    }
    out.sort(null);
    return out;
  }

  /** Reads one account file, checked against the name its file name says; null if it is gone. */
  Signup read(Path file) throws IOException {
    String fileName = file.getFileName().toString();
    return read(file, fileName.substring(0, fileName.length() - SUFFIX.length()));
  }

  /** Removes an imported account file and makes its removal durable. */
  void remove(Path file) throws IOException {
    Files.deleteIfExists(file);
    syncDir();
  }

  private Signup read(Path file, String name) throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) throw new IOException("account file too large: " + file);
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    String canonical;
    String hash;
    long created;
    try {
      JsonObject account = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
      canonical = account.getString("username");
      hash = account.getString("hash");
      String c = account.getString("created");
      created = c == null ? Files.getLastModifiedTime(file).toMillis() : Instant.parse(c).toEpochMilli();
    } catch (RuntimeException e) {
      throw new IOException("damaged account file " + file + ": " + e.getMessage());
    }
    if (canonical == null || hash == null || !Usernames.key(canonical).equals(Usernames.key(name))) {
      throw new IOException("damaged account file " + file + ": missing or mismatched fields");
    }
    return new Signup(canonical, hash, created);
  }

  private Path fileOf(String username) {
    return dir.resolve(Usernames.key(username) + SUFFIX);
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

  /** Makes a directory entry's change durable; not every platform can open a directory, which is fine. */
  private void syncDir() {
    if (!fsync) return;
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }
}
