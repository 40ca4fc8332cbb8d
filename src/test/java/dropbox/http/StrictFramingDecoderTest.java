package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The obs-fold scan of {@link StrictFramingDecoder} on the decoder alone (an EmbeddedChannel): a folded
 * line is found wherever the bytes are cut, and body bytes that look like a fold are not taken for one.
 */
class StrictFramingDecoderTest {

  /** The requests decoded from these bytes, fed in pieces of at most step bytes: "ok" or "refused". */
  private static List<String> decode(String bytes, int step) {
    EmbeddedChannel ch = new EmbeddedChannel(new StrictFramingDecoder(new HttpServerOptions()));
    byte[] all = bytes.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < all.length; i += step) {
      ch.writeInbound(Unpooled.wrappedBuffer(all, i, Math.min(step, all.length - i)));
    }
    List<String> seen = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) {
      if (o instanceof HttpRequest r) {
        seen.add(r.decoderResult().isSuccess() ? "ok"
            : r.decoderResult().cause() instanceof RequestHeadCheck.RefusedHead ? "refused" : "failed");
      }
      if (o instanceof HttpContent) ReferenceCountUtil.release(o);
    }
    ch.finishAndReleaseAll();
    return seen;
  }

  private static void forEveryCut(String bytes, List<String> expected) {
    for (int step : new int[] {1, 2, 3, 7, 64, 100_000}) {
      assertEquals(expected, decode(bytes, step), "in pieces of " + step);
    }
  }

  @Test
  void aFoldedHeaderIsRefusedWhereverTheBytesAreCut() {
    forEveryCut("PUT /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", List.of("refused"));
    forEveryCut("GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\tc\r\n\r\n", List.of("refused"));
    forEveryCut("GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\r\n Transfer-Encoding: chunked\r\n\r\n", List.of("refused"));
  }

  @Test
  void plainHeadsPipelinedAndBodiesThatLookLikeFoldsAreNotRefused() {
    String body = "a\r\n b\r\n\r\n\tc"; // 11 bytes a head scan must not read
    String put = "PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    String chunked = "PUT /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n\r\n \r\n\r\n0\r\n\r\n";
    String get = "\r\nGET /c HTTP/1.1\r\nHost: x\r\nX-A: b c\r\n\r\n"; // a CRLF before a request line is skipped
    forEveryCut(put + chunked + get + put, List.of("ok", "ok", "ok", "ok"));
    // After a good request, a folded one behind it is still found.
    forEveryCut(put + "GET /d HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", List.of("ok", "refused"));
    assertTrue(decode(get, 1).contains("ok"));
  }
}
