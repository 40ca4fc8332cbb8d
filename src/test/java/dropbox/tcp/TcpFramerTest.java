package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpFramerTest {

  /** Records what the framer emits and, like the session, says what to expect next. */
  static class Driver implements TcpFramer.Listener, TcpFramer.Flow {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean flowing;
    int maxChunk;
    TcpFramer framer;
    /** When true, every line is followed by expectLine at once (a session that answers synchronously). */
    boolean autoNext = true;

    Driver() {
      framer = new TcpFramer(this, this);
    }

    @Override
    public void pause() {
      flowing = false;
    }

    @Override
    public void resume() {
      flowing = true;
    }

    @Override
    public void onLine(byte[] line) {
      String s = new String(line, StandardCharsets.UTF_8);
      events.add("line:" + s);
      if (!autoNext) return;
      if (s.startsWith("UPLOAD")) framer.expectLength();
      else framer.expectLine();
    }

    @Override
    public void onLineTooLong() {
      events.add("too-long");
    }

    @Override
    public void onLength(long length) {
      events.add("length:" + Long.toUnsignedString(length));
      if (!autoNext) return;
      if (length == 777) framer.discard(3);
      else framer.expectData(length);
    }

    @Override
    public void onData(Buffer chunk) {
      maxChunk = Math.max(maxChunk, chunk.length());
      data.writeBytes(chunk.getBytes());
    }

    @Override
    public void onDataEnd() {
      events.add("data:" + data.toString(StandardCharsets.ISO_8859_1));
      data.reset();
      if (autoNext) framer.expectLine();
    }

    @Override
    public void onInputEnd() {
      events.add("end");
    }

    void feed(byte[] b, int from, int to) {
      if (from < to) framer.handle(Buffer.buffer(Arrays.copyOfRange(b, from, to)));
    }
  }

  private static byte[] le(long n) {
    return Buffer.buffer(8).appendLongLE(n).getBytes();
  }

  private static byte[] cat(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      out.writeBytes(p instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) p);
    }
    return out.toByteArray();
  }

  /** A whole classic session: lines, an upload with its length and body, a discarded body, pipelined lines. */
  private static final byte[] SESSION = cat(
      "LOGIN alice pass\r\n",
      "UPLOAD a.txt\n", le(5), "hello",
      "UPLOAD b.txt\n", le(0),
      "UPLOAD c.txt\n", le(777), "xyz",
      "LIST\n", "QUIT\n");

  private static final List<String> EXPECTED = List.of(
      "line:LOGIN alice pass\r",
      "line:UPLOAD a.txt", "length:5", "data:hello",
      "line:UPLOAD b.txt", "length:0", "data:",
      "line:UPLOAD c.txt", "length:777", "data:",
      "line:LIST", "line:QUIT");

  @Test
  void wholeSessionInOneChunk() {
    Driver d = new Driver();
    d.framer.expectLine();
    d.feed(SESSION, 0, SESSION.length);
    assertEquals(EXPECTED, d.events);
  }

  // ---- end of input (a half-closed client) ----

  @Test
  void endOfInputAfterTheLastRecordIsReportedOnceWhenTheNextIsAskedFor() {
    Driver d = new Driver();
    d.framer.expectLine();
    d.feed(SESSION, 0, SESSION.length);
    d.framer.endOfInput();
    List<String> expected = new ArrayList<>(EXPECTED);
    expected.add("end");
    assertEquals(expected, d.events);
    d.framer.expectLine();
    assertEquals(expected, d.events, "reported once");
  }

  /** Records still buffered come out one per request, as the session asks; only then the end. */
  @Test
  void bufferedRecordsComeBeforeTheEndWhileTheSessionIsBusy() {
    Driver d = new Driver();
    d.autoNext = false;
    d.framer.expectLine();
    d.framer.handle(Buffer.buffer("A\nB\npartial"));
    d.framer.endOfInput();
    assertEquals(List.of("line:A"), d.events, "busy with A: nothing more yet");
    d.framer.expectLine();
    assertEquals(List.of("line:A", "line:B"), d.events);
    d.framer.expectLine();
    assertEquals(List.of("line:A", "line:B", "end"), d.events, "a line without its newline is no command");
  }

  /** Cut anywhere: what is complete comes out in order, then exactly one end instead of the rest. */
  @Test
  void endOfInputAtEveryByteBoundary() {
    for (int cut = 0; cut < SESSION.length; cut++) {
      Driver d = new Driver();
      d.framer.expectLine();
      d.feed(SESSION, 0, cut);
      d.framer.endOfInput();
      assertEquals("end", d.events.get(d.events.size() - 1), "cut at " + cut);
      List<String> before = d.events.subList(0, d.events.size() - 1);
      assertEquals(EXPECTED.subList(0, before.size()), before, "cut at " + cut);
      assertEquals(1, d.events.stream().filter("end"::equals).count(), "cut at " + cut);
    }
  }

  @Test
  void endOfInputIsNotReportedWhileTheBodyIsHeld() {
    Driver d = new Driver();
    d.framer.expectLine();
    d.framer.handle(Buffer.buffer("UPLOAD x\n"));
    d.framer.hold();
    d.framer.handle(Buffer.buffer(le(3)).appendString("ab"));
    d.framer.endOfInput();
    assertEquals(List.of("line:UPLOAD x", "length:3"), d.events);
    d.framer.release();
    assertEquals(List.of("line:UPLOAD x", "length:3", "end"), d.events, "the body is one byte short");
  }

  @Test
  void wholeSessionSplitAtEveryByteBoundary() {
    for (int split = 0; split <= SESSION.length; split++) {
      Driver d = new Driver();
      d.framer.expectLine();
      d.feed(SESSION, 0, split);
      d.feed(SESSION, split, SESSION.length);
      assertEquals(EXPECTED, d.events, "split at " + split);
    }
  }

  @Test
  void wholeSessionSplitAtEveryPairOfBoundaries() {
    for (int a = 0; a <= SESSION.length; a++) {
      for (int b = a; b <= SESSION.length; b++) {
        Driver d = new Driver();
        d.framer.expectLine();
        d.feed(SESSION, 0, a);
        d.feed(SESSION, a, b);
        d.feed(SESSION, b, SESSION.length);
        assertEquals(EXPECTED, d.events, "splits at " + a + "," + b);
      }
    }
  }

  @Test
  void wholeSessionByteByByte() {
    Driver d = new Driver();
    d.framer.expectLine();
    for (int i = 0; i < SESSION.length; i++) d.feed(SESSION, i, i + 1);
    assertEquals(EXPECTED, d.events);
  }

  @Test
  void oneCommandAtATime() {
    Driver d = new Driver();
    d.autoNext = false;
    d.framer.expectLine();
    assertTrue(d.flowing, "reading while a line is wanted");
    byte[] in = cat("LIST\nQUOTA\nHELP\n");
    d.feed(in, 0, in.length);
    assertEquals(List.of("line:LIST"), d.events);
    assertFalse(d.flowing, "paused until the session asks again");
    assertEquals(in.length - 5, d.framer.buffered());
    d.framer.expectLine();
    assertEquals(List.of("line:LIST", "line:QUOTA"), d.events);
    assertFalse(d.flowing, "a whole line was already buffered");
    d.framer.expectLine();
    d.framer.expectLine();
    assertEquals(List.of("line:LIST", "line:QUOTA", "line:HELP"), d.events);
    assertTrue(d.flowing, "buffer empty: read again");
  }

  @Test
  void expectLineFromInsideTheCallbackDoesNotRecurse() {
    Driver d = new Driver();
    d.framer.expectLine();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20_000; i++) sb.append("X\n");
    byte[] in = sb.toString().getBytes(StandardCharsets.US_ASCII);
    d.feed(in, 0, in.length); // would overflow the stack if every line recursed
    assertEquals(20_000, d.events.size());
  }

  @Test
  void lengthIsLittleEndianUnsigned() {
    long[] values = {0, 1, 255, 256, 0x0102030405060708L, Long.MAX_VALUE, Long.MIN_VALUE, -1L};
    for (long v : values) {
      Driver d = new Driver();
      d.autoNext = false;
      d.framer.expectLength();
      byte[] b = le(v);
      d.feed(b, 0, 3);
      assertTrue(d.events.isEmpty());
      d.feed(b, 3, 8);
      assertEquals(List.of("length:" + Long.toUnsignedString(v)), d.events);
    }
  }

  @Test
  void lengthBytesAreLittleEndian() {
    Driver d = new Driver();
    d.autoNext = false;
    d.framer.expectLength();
    d.feed(new byte[] {5, 1, 0, 0, 0, 0, 0, 0}, 0, 8);
    assertEquals(List.of("length:261"), d.events);
  }

  @Test
  void lengthAtOrAbove2Pow63IsNegative() {
    long[] got = new long[1];
    TcpFramer f = new TcpFramer(new Driver(), new Driver() {
      @Override
      public void onLength(long length) {
        got[0] = length;
      }
    });
    f.expectLength();
    f.handle(Buffer.buffer(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) 0x80}));
    assertEquals(Long.MIN_VALUE, got[0]);
    assertTrue(got[0] < 0, "2^63 must read as 'too large'");
  }

  @Test
  void dataIsStreamedNotBufferedAndStopsAtN() {
    Driver d = new Driver();
    d.framer.expectLine();
    byte[] body = new byte[100_000];
    new Random(1).nextBytes(body);
    for (int i = 0; i < body.length; i++) if (body[i] == '\n') body[i] = 'n';
    byte[] in = cat("UPLOAD big\n", le(body.length), body, "LIST\n");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    TcpFramer f = new TcpFramer(d, new TcpFramer.Listener() {
      TcpFramer self() {
        return fRef[0];
      }

      @Override
      public void onLine(byte[] line) {
        d.events.add("line:" + new String(line, StandardCharsets.ISO_8859_1));
        if (line[0] == 'U') self().expectLength();
      }

      @Override
      public void onLineTooLong() {}

      @Override
      public void onLength(long length) {
        self().expectData(length);
      }

      @Override
      public void onData(Buffer chunk) {
        assertTrue(chunk.length() <= 8192, "chunks are what arrived, not the whole body");
        got.writeBytes(chunk.getBytes());
      }

      @Override
      public void onDataEnd() {
        d.events.add("end");
        self().expectLine();
      }
    });
    fRef[0] = f;
    f.expectLine();
    for (int i = 0; i < in.length; i += 8192) f.handle(Buffer.buffer(Arrays.copyOfRange(in, i, Math.min(in.length, i + 8192))));
    assertArrayEquals(body, got.toByteArray());
    assertEquals(List.of("line:UPLOAD big", "end", "line:LIST"), d.events);
  }

  private final TcpFramer[] fRef = new TcpFramer[1];

  @Test
  void holdStopsDataAndReleaseResumesIt() {
    Driver d = new Driver();
    d.autoNext = false;
    d.framer.expectData(10);
    d.feed(cat("abc"), 0, 3);
    d.framer.hold();
    assertFalse(d.flowing, "held: the socket is paused");
    d.feed(cat("defghijkLIST\n"), 0, 13); // arrived anyway (already in flight)
    assertEquals("abc", d.data.toString(StandardCharsets.ISO_8859_1));
    d.framer.release();
    assertEquals(List.of("data:abcdefghij"), d.events);
    assertEquals("kLIST\n".length(), d.framer.buffered());
  }

  @Test
  void discardConsumesExactlyN() {
    Driver d = new Driver();
    d.autoNext = false;
    d.framer.discard(4);
    d.feed(cat("12"), 0, 2);
    assertTrue(d.flowing);
    d.feed(cat("34LIST\n"), 0, 7);
    assertEquals(List.of("data:"), d.events);
    d.framer.expectLine();
    assertEquals(List.of("data:", "line:LIST"), d.events);
  }

  @Test
  void zeroLengthDataEndsAtOnce() {
    Driver d = new Driver();
    d.autoNext = false;
    d.framer.expectData(0);
    assertEquals(List.of("data:"), d.events);
  }

  @Test
  void lineOfExactly4096BytesIsAccepted() {
    for (String term : List.of("\n", "\r\n")) {
      Driver d = new Driver();
      d.framer.expectLine();
      byte[] in = cat("A".repeat(TcpFramer.MAX_LINE_BYTES), term);
      d.feed(in, 0, in.length);
      assertEquals(1, d.events.size());
      assertTrue(d.events.get(0).startsWith("line:AAAA"));
    }
  }

  @Test
  void lineOf4097BytesIsTooLong() {
    Driver d = new Driver();
    d.framer.expectLine();
    byte[] in = cat("A".repeat(TcpFramer.MAX_LINE_BYTES + 1), "\nLIST\n");
    d.feed(in, 0, in.length);
    assertEquals(List.of("too-long"), d.events);
    assertTrue(d.framer.isClosed());
    assertFalse(d.flowing);
  }

  @Test
  void tooLongIsDetectedWithoutWaitingForTheNewline() {
    Driver d = new Driver();
    d.framer.expectLine();
    byte[] in = cat("A".repeat(TcpFramer.MAX_LINE_BYTES + 1));
    d.feed(in, 0, in.length);
    assertEquals(List.of("too-long"), d.events);
  }

  @Test
  void aPendingCarriageReturnAtTheLimitWaitsForItsNewline() {
    Driver d = new Driver();
    d.framer.expectLine();
    byte[] in = cat("A".repeat(TcpFramer.MAX_LINE_BYTES), "\r");
    d.feed(in, 0, in.length);
    assertTrue(d.events.isEmpty());
    d.feed(cat("\n"), 0, 1);
    assertEquals(1, d.events.size());
  }

  @Test
  void tooLongByteByByte() {
    Driver d = new Driver();
    d.framer.expectLine();
    for (int i = 0; i < 5000 && d.events.isEmpty(); i++) d.framer.handle(Buffer.buffer("B"));
    assertEquals(List.of("too-long"), d.events);
  }

  @Test
  void nothingIsDeliveredAfterClose() {
    Driver d = new Driver();
    d.framer.expectLine();
    d.framer.close();
    d.feed(cat("LIST\n"), 0, 5);
    d.framer.expectLine();
    assertTrue(d.events.isEmpty());
  }
}
