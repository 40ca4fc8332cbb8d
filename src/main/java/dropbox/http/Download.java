package dropbox.http;

import dropbox.bus.DownloadHandle;
import dropbox.bus.FileInfo;
import dropbox.bus.FileStreaming;
import dropbox.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one immutable content file, or a small file's bytes that came from the database with the storage
 * answer (DownloadHandle.inline): validators, a single byte range, and the headers that keep user
 * content from ever running as a page of the UI's origin (attachment, nosniff, a sandboxing CSP).
 */
public final class Download {
  private static final Logger log = LoggerFactory.getLogger(Download.class);

  private Download() {}

  public static void serve(RoutingContext ctx, DownloadHandle h) {
    HttpServerRequest req = ctx.request();
    HttpServerResponse resp = ctx.response();
    FileInfo f = h.file();
    String etag = "\"" + f.sha256() + "\"";
    resp.putHeader("ETag", etag)
        .putHeader("Last-Modified", HttpDate.format(f.modified()))
        .putHeader("Accept-Ranges", "bytes")
        .putHeader("Cache-Control", "private, no-cache");

    switch (Conditions.evaluate(req, etag, f.modified(), System.currentTimeMillis())) {
      case PRECONDITION_FAILED -> {
        HttpErrors.send(resp, new HttpFailure(412, "precondition_failed", "The file does not match the request's precondition"));
        return;
      }
      case NOT_MODIFIED -> {
        resp.setStatusCode(304).end();
        return;
      }
      case PROCEED -> { }
    }
    String range = req.getHeader("Range");
    if (range != null && !Conditions.rangeApplies(req.getHeader("If-Range"), etag, f.modified())) range = null;
    ByteRange.Result r = ByteRange.parse(range, f.size());
    if (r.outcome() == ByteRange.Outcome.UNSATISFIABLE) {
      resp.putHeader("Content-Range", "bytes */" + f.size());
      HttpErrors.send(resp, new HttpFailure(416, "range_not_satisfiable",
          "The requested range is outside the file (" + f.size() + " bytes)"));
      return;
    }
    resp.putHeader("Content-Type", "application/octet-stream")
        .putHeader("Content-Disposition", "attachment; filename*=UTF-8''" + FilePath.encodeSegment(FilePath.lastSegment(f.name())))
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    long offset = 0;
    long length = f.size();
    if (r.outcome() == ByteRange.Outcome.PARTIAL) {
      offset = r.range().start();
      length = r.range().length();
      resp.setStatusCode(206)
          .putHeader("Content-Range", "bytes " + offset + "-" + r.range().endInclusive() + "/" + f.size());
    }
    if (req.method() == HttpMethod.HEAD || length == 0) {
      resp.putHeader("Content-Length", Long.toString(length)).end();
      return;
    }
    long sent = length;
    // Inline: the range of the bytes in hand, headers and body in one write, no file to open.
    // sendfile (zero-copy) only for plain HTTP/1.1: under TLS or HTTP/2 the bytes pass through the JVM.
    Future<Void> done = h.isInline()
        ? resp.end(h.inline().slice((int) offset, (int) (offset + length)))
        : req.version() == HttpVersion.HTTP_2 || req.isSSL()
        ? stream(ctx, h.contentPath(), offset, length)
        : resp.sendFile(h.contentPath(), offset, length);
    done.onSuccess(v -> Metrics.bytesOut("http", sent)).onFailure(err -> {
      // A client that leaves mid-download is routine (a benchmark's end alone left a WARN per connection).
      // So is one that stops reading (FileStreaming gives up after its idle bound): a client opening many
      // such streams wrote a WARN for each, 1900 lines in a second (black-box pass). Debug, as a departure.
      if (HttpErrors.isDisconnect(err) || err instanceof java.util.concurrent.TimeoutException) {
        log.debug("client left during {}: {}", f.name(), err.getMessage());
      } else {
        log.warn("sending {} failed: {}", f.name(), err.getMessage());
      }
      if (!resp.headWritten()) {
        HttpErrors.send(resp, new HttpFailure(500, "internal", "Internal error"));
      } else {
        resp.reset();
      }
    });
  }

  /** Large reads instead of sendFile's 8 KiB ones where zero-copy is impossible (FileStreaming). */
  private static Future<Void> stream(RoutingContext ctx, String path, long offset, long length) {
    ctx.response().putHeader("Content-Length", Long.toString(length));
    return FileStreaming.send(ctx.vertx(), path, offset, length, ctx.response(), true);
  }

}
