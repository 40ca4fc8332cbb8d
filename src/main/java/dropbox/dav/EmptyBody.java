package dropbox.dav;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A body of no bytes, for the empty file a LOCK on an unmapped URL creates (through http.Upload). */
final class EmptyBody implements ReadStream<Buffer> {
  private Handler<Void> end;
  private boolean ended;

  @Override public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) { return this; }

  @Override public ReadStream<Buffer> handler(Handler<Buffer> h) { return this; }

  @Override public ReadStream<Buffer> pause() { return this; }

  @Override public ReadStream<Buffer> resume() {
    if (!ended && end != null) {
      ended = true;
      end.handle(null);
    }
    return this;
  }

  @Override public ReadStream<Buffer> fetch(long amount) { return resume(); }

  @Override public ReadStream<Buffer> endHandler(Handler<Void> h) {
    end = h;
    return this;
  }
}
