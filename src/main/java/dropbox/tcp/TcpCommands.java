package dropbox.tcp;

import dropbox.bus.FileNames;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.metrics.Metrics;
import dropbox.tcp.TcpSession.State;
import java.util.Set;

/**
 * The command phase of one session (tcp-protocol.md "Command phase"): parses a command line, checks
 * its arguments, and answers it, handing UPLOAD and DOWNLOAD to their own handlers.
 */
final class TcpCommands {
  /** Verbs counted by name in metrics; anything else is "OTHER" so label values stay bounded. */
  private static final Set<String> COUNTED =
      Set.of("UPLOAD", "DOWNLOAD", "DELETE", "LIST", "QUOTA", "HELP", "QUIT", "EXIT");

  private final TcpSession session;
  private final StorageClient storage;
  private final TcpUpload upload;
  private final TcpDownload download;

  TcpCommands(TcpSession session, StorageClient storage, TcpUpload upload, TcpDownload download) {
    this.session = session;
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
    switch (word) {
      case "UPLOAD" -> { if (n == 1) upload.start(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "DOWNLOAD" -> { if (n == 1) download.start(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "DELETE" -> { if (n == 1) delete(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "LIST" -> { if (n == 0) list(cl.priority()); else invalidCommand(); }
      case "QUOTA" -> { if (n == 0) quota(cl.priority()); else invalidCommand(); }
      case "HELP" -> { if (n == 0) session.reply(TcpReplies.HELP); else invalidCommand(); }
      case "QUIT", "EXIT" -> { if (n == 0) session.closeWith(TcpReplies.GOODBYE); else invalidCommand(); }
      default -> invalidCommand();
    }
  }

  /** A name the storage side would accept; null (malformed UTF-8) never is. */
  static boolean validName(String name) {
    return name != null && FileNames.isValid(name);
  }

  private void invalidCommand() {
    session.reply(TcpReplies.INVALID_COMMAND);
  }

  private void delete(String name, Priority p) {
    if (!validName(name)) {
      session.reply(TcpReplies.INVALID_FILENAME);
      return;
    }
    storage.delete(session.user(), name, p).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? TcpReplies.SUCCESS : TcpReplies.storageError(ar.cause()))));
  }

  private void list(Priority p) {
    String user = session.user();
    storage.list(user, p).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? ListingTable.format(user, ar.result()) : TcpReplies.storageError(ar.cause()))));
  }

  private void quota(Priority p) {
    storage.usage(session.user(), p).onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? ListingTable.usageLine(ar.result()) : TcpReplies.storageError(ar.cause()))));
  }
}
