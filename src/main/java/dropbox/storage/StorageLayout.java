package dropbox.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where things live under the storage root. The only place a (user, name) becomes a disk path, and it never
 * uses the name itself as a path component: metadata files are named by the SHA-256 of the name's UTF-8
 * bytes, content files by random ids. So no name can climb out of its user's directory, and names of 255
 * bytes never hit a file-system limit.
 *
 * <pre>
 * root/users/&lt;user lowercased&gt;/ledger.json      committed bytes, file count, open reservations
 *                              meta/&lt;sha256(name)&gt;.json   one file's metadata (points to its content file)
 *                              blobs/&lt;id&gt;            immutable content files
 *                              staging/&lt;uploadId&gt;     uploads in progress
 *                              garbage/&lt;id&gt;          markers: content superseded or deleted at the marker's mtime
 * </pre>
 */
public final class StorageLayout {
  private final Path root;

  public StorageLayout(Path root) { this.root = root.toAbsolutePath().normalize(); }

  public Path root() { return root; }

  public Path usersDir() { return root.resolve("users"); }

  /** User names are ASCII [A-Za-z0-9_.-] starting with a letter or digit (checked by auth), unique ignoring case. */
  public Path userDir(String user) {
    if (!isUserName(user)) throw new IllegalArgumentException("not a user name");
    return usersDir().resolve(user.toLowerCase(Locale.ROOT));
  }

  /** Whether user can name a user directory (commands are checked with this before they reach a path). */
  static boolean isUserName(String user) {
    return user != null && USER_NAME.matcher(user.toLowerCase(Locale.ROOT)).matches();
  }

  public Path ledger(String user) { return userDir(user).resolve("ledger.json"); }

  public Path metaDir(String user) { return userDir(user).resolve("meta"); }

  public Path blobDir(String user) { return userDir(user).resolve("blobs"); }

  public Path stagingDir(String user) { return userDir(user).resolve("staging"); }

  public Path garbageDir(String user) { return userDir(user).resolve("garbage"); }

  public Path metaFile(String user, String name) { return metaDir(user).resolve(nameKey(name) + ".json"); }

  public Path blob(String user, String blobId) { return blobDir(user).resolve(checkId(blobId)); }

  public Path staging(String user, String uploadId) { return stagingDir(user).resolve(checkId(uploadId)); }

  public Path garbageMarker(String user, String blobId) { return garbageDir(user).resolve(checkId(blobId)); }

  /** Ids are ours (UUIDs), but they come back over the bus: refuse anything that is not one. */
  static String checkId(String id) {
    if (!isId(id)) throw new IllegalArgumentException("not an id");
    return id;
  }

  static boolean isId(String id) { return id != null && ID.matcher(id).matches(); }

  // Compiled once: every storage command checks its user (and uploads their id) with these.
  private static final Pattern USER_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");

  static String nameKey(String name) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
