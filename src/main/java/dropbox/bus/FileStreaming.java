package dropbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.WriteStream;

/**
 * Sends a byte range of a content file to a connection in large reads, for the connections where
 * zero-copy sendfile is not possible (TLS, HTTP/2). Vert.x's sendFile falls back there to reading 8 KiB
 * per blocking call on the event loop; 256 KiB reads on a worker, piped with the connection's
 * backpressure, send several times faster. Both front ends' downloads use it (http/Download,
 * tcp/TcpDownload); plain HTTP/1.1 and plain TCP keep sendfile.
 */
public final class FileStreaming {
  public static final int READ_BUFFER = 256 * 1024;

  private FileStreaming() {}

  /**
   * Streams [offset, offset + length) of path into dst. endDst: end dst after the last byte (an HTTP
   * response); otherwise dst stays open for what follows (the TCP protocol's trailer). The file is closed
   * on every outcome; the future fails when the file cannot be read or dst fails or closes.
   */
  public static Future<Void> send(Vertx vertx, String path, long offset, long length, WriteStream<Buffer> dst,
      boolean endDst) {
    return vertx.fileSystem().open(path, new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .compose(file -> {
          file.setReadBufferSize(READ_BUFFER).setReadPos(offset).setReadLength(length);
          Future<Void> piped = file.pipe().endOnComplete(endDst).to(dst);
          if (!endDst) {
            // The pipe leaves its drain handler (resume the file) on dst; dst lives on, the file does not.
            piped = piped.andThen(ar -> dst.drainHandler(null));
          }
          return piped.eventually(file::close);
        });
  }
}
