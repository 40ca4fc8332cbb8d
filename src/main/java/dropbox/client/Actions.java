package dropbox.client;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

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
    String name = remoteName(file);
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
    try {
      conn.delete(name, flag);
    } catch (ClientException e) {
      throw about(name, e);
    }
    out.println("deleted " + name);
  }

  void list(String flag) throws ClientException {
    out.print(conn.list(flag));
    out.flush();
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
    Path p;
    try {
      p = Path.of(arg);
    } catch (InvalidPathException e) {
      throw new ClientException(arg + ": invalid path");
    }
    if (!Files.exists(p)) throw new ClientException(arg + ": no such file");
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
        return Files.isDirectory(o) ? o.resolve(plainName(name)) : o;
      }
      return Path.of(plainName(name));
    } catch (InvalidPathException e) {
      throw new ClientException((outArg != null ? outArg : name) + ": invalid local path");
    }
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
