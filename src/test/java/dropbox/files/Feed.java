package dropbox.files;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.function.LongFunction;

/**
 * Writes total bytes into a HashingFileWriter as a well-behaved producer (a front end piping a socket):
 * stops when the queue is full and goes on from the drain handler. Call on the writer's context. Each
 * chunk is a fresh buffer from chunkAt(offset), so a writer that kept them all would run out of memory.
 */
final class Feed {
  private Feed() {}

  static Future<HashingFileWriter.Written> feed(HashingFileWriter w, long total, LongFunction<Buffer> chunkAt) {
    Promise<HashingFileWriter.Written> done = Promise.promise();
    new Object() {
      long sent;

      void pump() {
        while (sent < total) {
          if (w.writeQueueFull()) {
            w.drainHandler(v -> pump());
            return;
          }
          Buffer b = chunkAt.apply(sent);
          if (b.length() > total - sent) b = b.getBuffer(0, (int) (total - sent));
          w.write(b);
          sent += b.length();
        }
        w.finish().onComplete(done);
      }
    }.pump();
    return done.future();
  }
}
