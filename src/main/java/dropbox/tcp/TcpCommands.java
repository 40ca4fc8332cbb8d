package dropbox.tcp;

import dropbox.bus.FileNames;
import dropbox.bus.FolderPage;
import dropbox.bus.Listing;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.TreePath;
import dropbox.metrics.Metrics;
import dropbox.tcp.TcpSession.State;
import io.vertx.core.Future;
import java.util.Set;
import java.util.function.Function;

/**
 * The command phase of one session (tcp-protocol.md "Command phase"): parses a command line, checks
 * its arguments, and answers it, handing UPLOAD and DOWNLOAD to their own handlers.
 */
final class TcpCommands {
  /** Verbs counted by name in metrics; anything else is "OTHER" so label values stay bounded. */
  private static final Set<String> COUNTED =
      Set.of("UPLOAD", "DOWNLOAD", "DELETE", "LIST", "QUOTA", "HELP", "QUIT", "EXIT",
          "MKDIR", "MOVE", "COPY", "RMDIR");

  private final TcpSession session;
  private final StorageClient storage;
  private final TcpUpload upload;
  private final TcpDownload download;
  /** storage.engine=v2: paths and the folder commands; off, every line is answered exactly as v1 did. */
  private final boolean folders;
  /**
   * LIST and LIST <folder> read this many entries per page (tcp.listPageEntries). Each page is one read
   * snapshot, rows and usage line alike, so a listing of at most one page is exact even while the tree
   * changes (a folder moved to and fro during a LIST of 2 000 files once showed them under both names,
   * with pages of 1 000); a longer one is read in several snapshots.
   */
  private final int listPage;

  TcpCommands(TcpSession session, StorageClient storage, TcpUpload upload, TcpDownload download, boolean folders,
              int listPage) {
    this.session = session;
    this.folders = folders;
    this.listPage = listPage;
    this.storage = storage;
    this.upload = upload;
    this.download = download;
  }

  void onLine(byte[] bytes) {
    session.enter(State.COMMAND_WORK);
    CommandLine cl = LineParser.parse(bytes).orElse(null);
    String word = cl == null || cl.command() == null ? "" : cl.command();
    int n = cl == null ? -1 : cl.argCount();
    Metrics.tcpCommand(COUNTED.contains(word) ? word : "OTHER");
    // cl == null (a line that does not parse) is the classic invalid command on both engines.
    if (folders && cl != null && onFolderLine(word, cl, n)) return;
    switch (word) {
      case "UPLOAD" -> { if (n == 1) upload.start(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "DOWNLOAD" -> { if (n == 1) download.start(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "DELETE" -> { if (n == 1) delete(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "LIST" -> { if (n == 0) list(cl.priority()); else invalidCommand(); }
      case "QUOTA" -> { if (n == 0) quota(cl.priority()); else invalidCommand(); }
      case "HELP" -> { if (n == 0) session.reply(folders ? TcpReplies.HELP_FOLDERS : TcpReplies.HELP); else invalidCommand(); }
      case "QUIT", "EXIT" -> { if (n == 0) session.closeWith(TcpReplies.GOODBYE); else invalidCommand(); }
      default -> invalidCommand();
    }
  }

  /**
   * The folder extension (v2 only): the new commands, LIST with a folder. Returns false for anything else,
   * which the classic switch answers as before. A wrong argument count is the classic invalid command.
   */
  private boolean onFolderLine(String word, CommandLine cl, int n) {
    Priority p = cl.priority();
    switch (word) {
      case "MKDIR" -> { if (n == 1) withPaths(cl, f -> storage.mkdir(session.user(), f[0], p)); else invalidCommand(); }
      case "RMDIR" -> { if (n == 1) withPaths(cl, f -> storage.rmdir(session.user(), f[0], p)); else invalidCommand(); }
      case "MOVE" -> { if (n == 2) withPaths(cl, f -> storage.move(session.user(), f[0], f[1], false, p)); else invalidCommand(); }
      case "COPY" -> { if (n == 2) withPaths(cl, f -> storage.copy(session.user(), f[0], f[1], false, p)); else invalidCommand(); }
      case "LIST" -> {
        if (n != 1) return false;
        if (!validName(cl.arg(0))) session.reply(TcpReplies.INVALID_FILENAME);
        else listFolder(cl.arg(0), p);
      }
      default -> { return false; }
    }
    return true;
  }

  /** Checks every argument is a path, runs the command, answers the classic success line or its error. */
  private void withPaths(CommandLine cl, Function<String[], Future<?>> command) {
    String[] paths = cl.args().toArray(new String[0]);
    for (String path : paths) {
      if (!validName(path)) {
        session.reply(TcpReplies.INVALID_FILENAME);
        return;
      }
    }
    command.apply(paths).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? TcpReplies.SUCCESS : TcpReplies.storageError(ar.cause()))));
  }

  /**
   * LIST <folder> streams: the header goes out with the first page, each page's rows as one write, and the
   * next page is read only once the socket has taken the previous one, so a folder of any size costs one
   * page of memory (a 100 000-entry folder used to be collected whole, then formatted as one string).
   * Pacing is the write's own completion rather than a drain handler: one page is in flight at a time.
   * The usage line and the prompt end it as before. A page that fails after rows went out ends the table
   * with the error line and the prompt: the client stays in step.
   */
  private void listFolder(String folder, Priority p) {
    listFrom(session.user(), folder, null, p);
  }

  private void listFrom(String user, String folder, String cursor, Priority p) {
    storage.listFolder(user, folder, listPage, cursor, p).onComplete(session.safe(ar -> {
      if (ar.failed()) {
        session.reply(TcpReplies.storageError(ar.cause()));
        return;
      }
      FolderPage page = ar.result();
      boolean first = cursor == null;
      boolean last = page.cursor() == null;
      StringBuilder text = new StringBuilder();
      if (first) text.append(ListingTable.folderHeader(user, folder, page.entries().isEmpty() && last));
      ListingTable.folderRows(text, page.entries());
      if (last) {
        session.reply(text.append(ListingTable.usageLine(page.usage())).toString());
        return;
      }
      session.writePart(text.toString()).onComplete(session.safe(written -> {
        if (written.failed() || session.peerClosed()) session.terminate(); // nobody reads the rest
        else if (!session.closed()) listFrom(user, folder, page.cursor(), p);
      }));
    }));
  }

  /** A path the storage side could accept (a plain name is one); null (malformed UTF-8) never is. */
  static boolean validName(String name) {
    return name != null && TreePath.isValid(name);
  }

  /** What UPLOAD/DOWNLOAD/DELETE accept: any path on v2, a plain name on v1 (a '/' stays invalid there). */
  static boolean acceptedName(String name, boolean folders) {
    return name != null && (folders ? TreePath.isValid(name) : FileNames.isValid(name));
  }

  private void invalidCommand() {
    session.reply(TcpReplies.INVALID_COMMAND);
  }

  private void delete(String name, Priority p) {
    if (!session.acceptsName(name)) {
      session.reply(TcpReplies.INVALID_FILENAME);
      return;
    }
    storage.delete(session.user(), name, p).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? TcpReplies.SUCCESS : TcpReplies.storageError(ar.cause()))));
  }

  /**
   * The classic whole-tree LIST. On v2 it streams like LIST <folder>: pages of the tree walk, one in flight,
   * so a million files cost one page of memory (collected whole, 1M rows took ~1.6 GB and an -Xmx128m server
   * died). The usage line is the last page's snapshot; with writers running, rows of earlier pages may be a
   * moment older. v1 has no paged walk (each page would re-read every file), so it answers in one piece.
   */
  private void list(Priority p) {
    String user = session.user();
    if (folders) {
      listTreeFrom(user, null, p);
      return;
    }
    storage.list(user, p).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? ListingTable.format(user, ar.result()) : TcpReplies.storageError(ar.cause()))));
  }

  private void listTreeFrom(String user, String cursor, Priority p) {
    storage.listPage(user, listPage, cursor, p).onComplete(session.safe(ar -> {
      if (ar.failed()) {
        session.reply(TcpReplies.storageError(ar.cause()));
        return;
      }
      Listing page = ar.result();
      boolean first = cursor == null;
      boolean last = page.cursor() == null;
      StringBuilder text = new StringBuilder();
      if (first) ListingTable.treeHeader(text, user, page.files().isEmpty() && last);
      ListingTable.treeRows(text, page.files());
      if (last) {
        session.reply(text.append(ListingTable.usageLine(page.usage())).toString());
        return;
      }
      session.writePart(text.toString()).onComplete(session.safe(written -> {
        if (written.failed() || session.peerClosed()) session.terminate(); // nobody reads the rest
        else if (!session.closed()) listTreeFrom(user, page.cursor(), p);
      }));
    }));
  }

  private void quota(Priority p) {
    storage.usage(session.user(), p).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? ListingTable.usageLine(ar.result()) : TcpReplies.storageError(ar.cause()))));
  }
}
