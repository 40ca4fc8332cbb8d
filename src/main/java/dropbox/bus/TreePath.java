package dropbox.bus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A path in a user's tree (tcp-protocol.md "Paths and folders"): valid names joined by '/', no leading,
 * trailing or doubled '/', at most 64 segments and 4000 bytes. The root is the empty path. Lives in bus/
 * because both front ends validate paths before anything reaches storage, and the store walks segments.
 */
public final class TreePath {
  public static final int MAX_SEGMENTS = 64;
  public static final int MAX_BYTES = 4000;
  public static final TreePath ROOT = new TreePath(new String[0]);

  private final String[] segments;

  private TreePath(String[] segments) { this.segments = segments; }

  /** Parses a path; "" is the root. Throws INVALID_NAME for anything the rules refuse. */
  public static TreePath parse(String path) {
    if (path == null) throw invalid();
    if (path.isEmpty()) return ROOT;
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) throw invalid();
    String[] parts = path.split("/", -1); // -1 keeps empty segments, so "a//b" and "a/" are caught
    if (parts.length > MAX_SEGMENTS) throw invalid();
    for (String p : parts) if (!FileNames.isValid(p)) throw invalid();
    return new TreePath(parts);
  }

  /** True when parse would accept it (the root excluded: a file or folder name is never empty). */
  public static boolean isValid(String path) {
    try {
      return !parse(path).isRoot();
    } catch (StorageException e) {
      return false;
    }
  }

  public boolean isRoot() { return segments.length == 0; }

  public int depth() { return segments.length; }

  public String segment(int i) { return segments[i]; }

  public List<String> segments() { return List.of(segments); }

  /** The last segment; the root has none. */
  public String name() {
    if (isRoot()) throw new IllegalStateException("the root has no name");
    return segments[segments.length - 1];
  }

  public TreePath parent() {
    if (isRoot()) throw new IllegalStateException("the root has no parent");
    return new TreePath(Arrays.copyOf(segments, segments.length - 1));
  }

  /** A child of this folder path; the name must be valid and the result within the limits. */
  public TreePath child(String name) {
    return parse(isRoot() ? name : this + "/" + name);
  }

  /** True when this path equals other or lies inside it ("a/b" is within "a", "ab" is not). */
  public boolean isWithin(TreePath other) {
    if (other.segments.length > segments.length) return false;
    for (int i = 0; i < other.segments.length; i++) if (!segments[i].equals(other.segments[i])) return false;
    return true;
  }

  @Override public String toString() { return String.join("/", segments); }

  @Override public boolean equals(Object o) { return o instanceof TreePath p && Arrays.equals(segments, p.segments); }

  @Override public int hashCode() { return Arrays.hashCode(segments); }

  private static StorageException invalid() { return StorageException.of(ErrorCode.INVALID_NAME, "Invalid path"); }
}
