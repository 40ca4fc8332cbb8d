package dropbox.tcp;

import dropbox.bus.DownloadHandle;
import dropbox.bus.FileStreaming;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.metrics.Metrics;
import dropbox.tcp.TcpSession.State;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DOWNLOAD for one session (tcp-protocol.md): the 8-byte length, the file's bytes straight from disk
 * (zero-copy sendfile on the plain port, in chunks whose progress is watched: {@link ChunkedSendFile};
 * large reads on the TLS port, where sendFile would read 8 KiB per call) or, for a small file kept in the database, from the storage answer itself, then the trailer. A failure is announced as length 0 so classic clients, which read a
 * length first, stay in step.
 */
final class TcpDownload {
  private static final Logger log = LoggerFactory.getLogger(TcpDownload.class);
  private static final Buffer ZERO_LENGTH = Buffer.buffer(new byte[8]);

  private final Vertx vertx;
  private final TcpSession session;
  private final NetSocket socket;
  private final StorageClient storage;

  TcpDownload(Vertx vertx, TcpSession session, NetSocket socket, StorageClient storage) {
    this.vertx = vertx;
    this.session = session;
    this.socket = socket;
    this.storage = storage;
  }

  void start(String name, Priority p) {
    if (!session.acceptsName(name)) {
      session.writeBuffer(ZERO_LENGTH.copy().appendString(TcpReplies.INVALID_FILENAME + TcpReplies.PROMPT));
      session.waitForLine(State.COMMAND_WAIT);
      return;
    }
    storage.openDownload(session.user(), name, p).onComplete(session.safe(ar -> {
      if (session.closed()) return;
      if (ar.failed()) {
        session.writeBuffer(ZERO_LENGTH.copy().appendString(TcpReplies.storageError(ar.cause()) + TcpReplies.PROMPT));
        session.waitForLine(State.COMMAND_WAIT);
        return;
      }
      sendFile(ar.result());
    }));
  }

  private void sendFile(DownloadHandle h) {
    if (h.isInline()) { // a small file's bytes came with the answer: one write, no file to open
      Buffer bytes = h.inline();
      Metrics.bytesOut("tcp", bytes.length());
      session.reply(Buffer.buffer(8 + bytes.length() + 64).appendLongLE(bytes.length()).appendBuffer(bytes),
          TcpReplies.SUCCESS);
      return;
    }
    session.enter(State.DOWNLOADING);
    long size = h.file().size();
    session.writeBuffer(Buffer.buffer(8).appendLongLE(size));
    Future<Void> sent = size == 0 ? Future.succeededFuture()
        : socket.isSsl() ? FileStreaming.send(vertx, h.contentPath(), 0, size, socket, false)
        : ChunkedSendFile.send(vertx, socket, h.contentPath(), 0, size);
    sent.onComplete(session.safe(ar -> {
      if (session.closed()) return;
      if (ar.failed()) {
        // Part of the body may be out already: the stream cannot be resynchronised. A client that stopped
        // reading is one line at INFO (a client can do it at will); anything else is the server's WARN.
        if (ar.cause() instanceof TimeoutException) {
          log.info("download of {} for {} given up: {}", h.file().name(), session.user(), ar.cause().getMessage());
        } else {
          log.warn("download of {} for {} failed: {}", h.file().name(), session.user(), ar.cause().toString());
        }
        session.reset();
        return;
      }
      Metrics.bytesOut("tcp", size);
      session.reply(TcpReplies.SUCCESS);
    }));
  }
}
