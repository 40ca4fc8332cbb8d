package dropbox.client;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The user-level operations shared by the one-shot commands and the shell: local checks first (so a typo
 * costs no round trip), then the protocol call, then one line of feedback on stdout.
 */
final class Actions {
  private final ProtocolConnection conn;
  private final PrintStream out;
  private final boolean terminal;

  Actions(ProtocolConnection conn, PrintStream out, boolean terminal) {
    this.conn = conn;
    this.out = out;
    this.terminal = terminal;
  }

  void upload(Path file, String flag) throws ClientException {
    upload(file, null, flag);
  }

  /** Uploads a local file as folder/its base name (folder null: the top level); the server creates folder. */
  void upload(Path file, String folder, String flag) throws ClientException {
    String name = under(folder, remoteName(file));
    long size;
    try {
      size = conn.upload(name, file, flag, progress(name));
    } catch (ClientException e) {
      throw about(name, e);
    }
    out.println("uploaded " + name + " (" + size + " bytes)");
  }

  void download(String name, String outArg, String flag) throws ClientException {
    Path target = downloadTarget(name, outArg);
    long size;
    try {
      size = conn.download(name, target, flag, progress(name));
    } catch (ClientException e) {
      throw about(name, e);
    }
    out.println("downloaded " + name + " -> " + target + " (" + size + " bytes)");
  }

  void delete(String name, String flag) throws ClientException {
    remote(name, () -> conn.delete(name, flag), "deleted " + name);
  }

  void list(String flag) throws ClientException {
    list(null, flag);
  }

  /** The whole tree's files (folder null), or one folder's children, as the server formats them. */
  void list(String folder, String flag) throws ClientException {
    String text;
    try {
      text = conn.list(folder, flag);
    } catch (ClientException e) {
      throw folder == null ? e : about(folder, e);
    }
    out.print(text);
    out.flush();
  }

  void mkdir(String folder, String flag) throws ClientException {
    remote(folder, () -> conn.mkdir(folder, flag), "created folder " + folder);
  }

  void rmdir(String folder, String flag) throws ClientException {
    remote(folder, () -> conn.rmdir(folder, flag), "removed folder " + folder + " and everything in it");
  }

  void move(String from, String to, String flag) throws ClientException {
    remote(from, () -> conn.move(from, to, flag), "moved " + from + " -> " + to);
  }

  void copy(String from, String to, String flag) throws ClientException {
    remote(from, () -> conn.copy(from, to, flag), "copied " + from + " -> " + to);
  }

  /** One command without a result: its failure names what it was about, its success is one line. */
  private void remote(String about, Call call, String done) throws ClientException {
    try {
      call.run();
    } catch (ClientException e) {
      throw about(about, e);
    }
    out.println(done);
  }

  private interface Call {
    void run() throws ClientException;
  }

  /**
   * Uploads a local directory as folder/its name, with everything under it: each sub-directory becomes a
   * folder (empty ones too), each regular file an upload; symbolic links and special files are skipped with
   * a line on err, as is a file the server refuses (a name it does not accept, quota), like cp -r does.
   * Returns false when anything was skipped or refused; a lost connection ends it with the exception.
   */
  boolean uploadTree(Path dir, String folder, String flag, PrintStream err) throws ClientException {
    String top = under(folder, remoteName(dir.toAbsolutePath().normalize())); // "upload -r ." names the directory
    boolean all = true;
    List<Path> entries;
    try (Stream<Path> walk = Files.walk(dir)) { // no FOLLOW_LINKS: a link is listed, never entered
      entries = walk.toList();
    } catch (IOException | UncheckedIOException e) {
      throw new ClientException(dir + ": cannot read: " + describe(e));
    }
    for (Path p : entries) {
      String remote = top;
      for (Path segment : dir.relativize(p)) {
        if (!segment.toString().isEmpty()) remote = remote + "/" + segment;
      }
      try {
        if (Files.isSymbolicLink(p)) {
          err.println("client: " + p + ": symbolic link, skipped");
          all = false;
        } else if (Files.isDirectory(p)) {
          conn.mkdir(remote, flag);
        } else if (Files.isRegularFile(p)) {
          long size = conn.upload(remote, p, flag, progress(remote));
          out.println("uploaded " + remote + " (" + size + " bytes)");
        } else {
          err.println("client: " + p + ": not a regular file, skipped");
          all = false;
        }
      } catch (ClientException e) {
        if (e.connectionLost()) throw about(remote, e);
        err.println("client: " + about(remote, e).getMessage());
        all = false;
      }
    }
    return all;
  }

  /**
   * Downloads a remote folder with everything under it into outArg (a directory; null: the current one)
   * as outArg/<the folder's last part>/..., one LIST per folder (so empty folders come too) and one
   * DOWNLOAD per file. A child whose name cannot be a local file name, or that the server refuses meanwhile
   * (deleted since the listing), is reported on err and skipped; returns false if anything was. An unknown
   * top folder or a lost connection ends it with the exception.
   */
  boolean downloadTree(String folder, String outArg, String flag, PrintStream err) throws ClientException {
    Path base;
    Path top;
    try {
      base = Path.of(outArg != null ? outArg : ".");
      top = base.resolve(plainName(lastSegment(folder)));
    } catch (InvalidPathException e) {
      throw new ClientException((outArg != null ? outArg : folder) + ": invalid local path");
    }
    if (!Files.isDirectory(base)) throw new ClientException(base + ": not a directory");
    List<FolderEntries.Entry> children;
    try {
      children = FolderEntries.parse(conn.list(folder, flag));
    } catch (ClientException e) {
      throw about(folder, e);
    }
    return fetchInto(folder, children, top, flag, err);
  }

  private boolean fetchInto(String folder, List<FolderEntries.Entry> children, Path local, String flag,
                            PrintStream err) throws ClientException {
    try {
      Files.createDirectories(local);
    } catch (IOException e) {
      throw new ClientException(local + ": cannot create: " + describe(e));
    }
    boolean all = true;
    for (FolderEntries.Entry child : children) {
      String remote = folder + "/" + child.name();
      try {
        Path target;
        try {
          target = local.resolve(plainName(child.name())); // never a path that leaves the directory
        } catch (InvalidPathException e) {
          throw new ClientException("not a valid local file name here");
        }
        if (child.folder()) {
          all &= fetchInto(remote, FolderEntries.parse(conn.list(remote, flag)), target, flag, err);
        } else {
          long size = conn.download(remote, target, flag, progress(remote));
          out.println("downloaded " + remote + " -> " + target + " (" + size + " bytes)");
        }
      } catch (ClientException e) {
        if (e.connectionLost()) throw about(remote, e);
        err.println("client: " + about(remote, e).getMessage() + ", skipped");
        all = false;
      }
    }
    return all;
  }

  /** folder/name, or name alone at the top level. */
  private static String under(String folder, String name) {
    return folder == null || folder.isEmpty() ? name : folder + "/" + name;
  }

  /** ProtocolConnection's one-line reason, looking through the unchecked wrapper of Files.walk. */
  private static String describe(Exception e) {
    return ProtocolConnection.describe(e instanceof UncheckedIOException u ? u.getCause() : e);
  }

  void quota(String flag) throws ClientException {
    out.println(conn.quota(flag));
  }

  /** Names the file in the message unless it already does (local checks start with the path). */
  private static ClientException about(String name, ClientException e) {
    if (e.getMessage().startsWith(name)) return e;
    return new ClientException(name + ": " + e.getMessage(), e.connectionLost());
  }

  /** A local file that can be uploaded, checked before connecting or sending anything. */
  static Path uploadable(String arg) throws ClientException {
    return uploadable(arg, false);
  }

  /** The same, where recursive also accepts a directory (uploaded with its tree). */
  static Path uploadable(String arg, boolean recursive) throws ClientException {
    Path p;
    try {
      p = Path.of(arg);
    } catch (InvalidPathException e) {
      throw new ClientException(arg + ": invalid path");
    }
    if (!Files.exists(p)) throw new ClientException(arg + ": no such file");
    if (Files.isDirectory(p)) {
      if (!recursive) throw new ClientException(arg + ": is a directory (upload it with --recursive)");
      remoteName(p.toAbsolutePath().normalize());
      return p;
    }
    if (!Files.isRegularFile(p)) throw new ClientException(arg + ": not a regular file");
    if (!Files.isReadable(p)) throw new ClientException(arg + ": not readable");
    remoteName(p);
    return p;
  }

  static String remoteName(Path file) throws ClientException {
    Path base = file.getFileName();
    if (base == null) throw new ClientException(file + ": has no file name");
    return base.toString();
  }

  /**
   * Where a download goes: outArg itself, or outArg/name when outArg is a directory, or ./name. The remote
   * name only becomes a local path when it is a plain file name, never a path that leaves the directory.
   */
  static Path downloadTarget(String name, String outArg) throws ClientException {
    try {
      if (outArg != null) {
        Path o = Path.of(outArg);
        return Files.isDirectory(o) ? o.resolve(plainName(lastSegment(name))) : o;
      }
      return Path.of(plainName(lastSegment(name)));
    } catch (InvalidPathException e) {
      throw new ClientException((outArg != null ? outArg : name) + ": invalid local path");
    }
  }

  /** "docs/2026/report.pdf" -> "report.pdf": a download of a path lands under the file's own name. */
  private static String lastSegment(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 || slash == path.length() - 1 ? path : path.substring(slash + 1);
  }

  private static String plainName(String name) throws ClientException {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
        || name.indexOf('\0') >= 0) {
      throw new ClientException(name + ": not a plain file name; give an output path");
    }
    return name;
  }

  private TransferListener progress(String name) {
    return terminal ? new ProgressBar(out, System::nanoTime, label(name)) : TransferListener.NONE;
  }

  static String label(String name) {
    return name.length() <= 24 ? name : name.substring(0, 21) + "...";
  }
}
