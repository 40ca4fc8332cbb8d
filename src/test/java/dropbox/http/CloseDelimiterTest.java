package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class CloseDelimiterTest {

  @Test
  void theBoundaryIsReadFromTheContentTypeQuotedOrNot() {
    assertEquals("abc", CloseDelimiter.boundaryOf("multipart/form-data; boundary=abc"));
    assertEquals("a b", CloseDelimiter.boundaryOf("multipart/form-data; charset=x; BOUNDARY=\"a b\""));
    assertNull(CloseDelimiter.boundaryOf("multipart/form-data"));
    assertNull(CloseDelimiter.boundaryOf("multipart/form-data; boundary="));
    assertNull(CloseDelimiter.forContentType(null));
  }

  @Test
  void theDelimiterIsSeenAcrossChunksAndNotBeforeItIsWhole() {
    CloseDelimiter d = CloseDelimiter.forContentType("multipart/form-data; boundary=xyx");
    // "--xyx" alone opens a part; "--xyx-" is not the close delimiter yet; overlapping prefixes fall back.
    for (String chunk : new String[] {"--xyx\r\n\r\ndata--xy", "x\r\n---xyx-", "x--x", "yx-"}) {
      d.feed(Buffer.buffer(chunk));
      assertFalse(d.seen(), chunk);
    }
    d.feed(Buffer.buffer("-\r\nepilogue"));
    assertTrue(d.seen());
  }

  @Test
  void runsOfDashesAndASliceOfALargerBufferAreReadRight() {
    CloseDelimiter d = CloseDelimiter.forContentType("multipart/form-data; boundary=--b");
    d.feed(Buffer.buffer("-".repeat(1000))); // no "b" yet: dashes alone never complete "----b--"
    assertFalse(d.seen());
    Buffer whole = Buffer.buffer("xxxx--------b--yyyy");
    CloseDelimiter e = CloseDelimiter.forContentType("multipart/form-data; boundary=--b");
    e.feed(whole.slice(0, 10)); // "xxxx------"
    assertFalse(e.seen());
    e.feed(whole.slice(10, whole.length())); // "--b--yyyy"
    assertTrue(e.seen());
    d.feed(Buffer.buffer("b--"));
    assertTrue(d.seen(), "the dashes before it were the start of the delimiter");
  }
}
