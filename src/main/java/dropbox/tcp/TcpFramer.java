package dropbox.tcp;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts the bytes of one connection into what the session asked for next: a line, an 8-byte length,
 * a body of exactly N bytes (streamed, never buffered whole) or N bytes to throw away.
 *
 * Our own framer rather than RecordParser: the protocol needs "one command at a time" (after each
 * record nothing more is read until the session says what comes next), a byte-exact hand-over from a
 * line to a binary length to a streamed body, and a line limit that closes instead of throwing.
 * Bytes the client pipelined are kept and parsed when the session asks again. The socket is paused
 * whenever the framer does not need more input, so unread input stays in the kernel.
 *
 * Not thread-safe: used on the connection's event loop only.
 */
public final class TcpFramer {
  /** Longest line accepted, without its "\n" or "\r\n" terminator. */
  public static final int MAX_LINE_BYTES = 4096;

  /** Receives the records. Callbacks may call the framer again (expect*, hold, close). */
  public interface Listener {
    void onLine(byte[] line);

    /** The line limit was exceeded; the framer is closed (the stream cannot be trusted). */
    void onLineTooLong();

    /** An 8-byte little-endian unsigned length; a negative value means >= 2^63. */
    void onLength(long length);

    void onData(Buffer chunk);

    /** The body (or the discarded bytes) of expectData/discard is complete. */
    void onDataEnd();

    /**
     * After {@link TcpFramer#endOfInput()}: the current request needs bytes that will never come
     * (called once; any partial record buffered is dropped with it).
     */
    default void onInputEnd() {
    }
  }

  /** Starts and stops the flow of bytes from the socket. */
  public interface Flow {
    void pause();

    void resume();
  }

  private enum Mode { IDLE, LINE, LENGTH, DATA, DISCARD, CLOSED }

  private static final Buffer EMPTY = Buffer.buffer(0);

  private final Flow flow;
  private final Listener listener;
  private Mode mode = Mode.IDLE;
  private Buffer buf = EMPTY;
  private int pos;
  /** Where the search for '\n' resumes, so byte-by-byte input is not rescanned. */
  private int scanFrom;
  private long remaining;
  private boolean held;
  private boolean draining;
  private Boolean flowing;
  /** The peer sent its last byte (half-close): what is buffered is all there will be. */
  private boolean inputEnded;
  private boolean endReported;

  public TcpFramer(Flow flow, Listener listener) {
    this.flow = flow;
    this.listener = listener;
    updateFlow();
  }

  /** Feeds bytes that came from the socket. */
  public void handle(Buffer chunk) {
    if (mode == Mode.CLOSED || chunk.length() == 0) return;
    if (pos >= buf.length()) {
      buf = chunk;
      pos = 0;
      scanFrom = 0;
    } else {
      Buffer rest = buf.getBuffer(pos, buf.length());
      scanFrom -= pos;
      buf = rest.appendBuffer(chunk);
      pos = 0;
    }
    drain();
  }

  public void expectLine() {
    setMode(Mode.LINE);
  }

  public void expectLength() {
    setMode(Mode.LENGTH);
  }

  /** Streams exactly n bytes to onData, then calls onDataEnd. */
  public void expectData(long n) {
    remaining = n;
    setMode(Mode.DATA);
  }

  /** Consumes exactly n bytes without delivering them, then calls onDataEnd. */
  public void discard(long n) {
    remaining = n;
    setMode(Mode.DISCARD);
  }

  /** Back-pressure from the body's destination: stop delivering data until {@link #release()}. */
  public void hold() {
    held = true;
    updateFlow();
  }

  public void release() {
    held = false;
    drain();
  }

  /**
   * No more bytes will come. Records still buffered are delivered as the listener asks for them; once a
   * request cannot be met from the buffer, onInputEnd is called instead of waiting for input.
   */
  public void endOfInput() {
    if (mode == Mode.CLOSED) return;
    inputEnded = true;
    if (!draining) updateFlow();
  }

  /** Stops for good: nothing more is delivered. */
  public void close() {
    mode = Mode.CLOSED;
    buf = EMPTY;
    pos = 0;
    updateFlow();
  }

  public boolean isClosed() {
    return mode == Mode.CLOSED;
  }

  /** Bytes received but not yet handed out (pipelined input). */
  public int buffered() {
    return buf.length() - pos;
  }

  private void setMode(Mode m) {
    if (mode == Mode.CLOSED) return;
    mode = m;
    scanFrom = pos;
    drain();
  }

  private void drain() {
    if (draining) return; // a callback asked for more: the loop below continues with the new mode
    draining = true;
    try {
      while (step()) {
        // keep going while records can be cut from what is buffered
      }
    } finally {
      draining = false;
    }
    updateFlow();
  }

  /** Emits at most one record; false when nothing more can be done without input or a new request. */
  private boolean step() {
    int avail = buf.length() - pos;
    switch (mode) {
      case LINE:
        return stepLine();
      case LENGTH:
        if (avail < 8) return false;
        long n = buf.getLongLE(pos);
        pos += 8;
        mode = Mode.IDLE;
        listener.onLength(n);
        return true;
      case DATA:
      case DISCARD:
        if (remaining == 0) {
          mode = Mode.IDLE;
          listener.onDataEnd();
          return true;
        }
        if (avail == 0 || (held && mode == Mode.DATA)) return false;
        int k = (int) Math.min(avail, remaining);
        Buffer chunk = null;
        if (mode == Mode.DATA) chunk = (pos == 0 && k == buf.length()) ? buf : buf.getBuffer(pos, pos + k);
        pos += k;
        remaining -= k;
        if (pos == buf.length()) {
          buf = EMPTY;
          pos = 0;
        }
        if (chunk != null) listener.onData(chunk);
        return true;
      default:
        return false;
    }
  }

  private boolean stepLine() {
    int end = buf.length();
    int nl = -1;
    for (int i = Math.max(scanFrom, pos); i < end; i++) {
      if (buf.getByte(i) == '\n') {
        nl = i;
        break;
      }
    }
    if (nl < 0) {
      scanFrom = end;
      int avail = end - pos;
      // One byte more than the limit may still be the '\r' of a "\r\n" that has not fully arrived.
      boolean tooLong = avail > MAX_LINE_BYTES + 1
          || (avail == MAX_LINE_BYTES + 1 && buf.getByte(end - 1) != '\r');
      if (tooLong) tooLong();
      return false;
    }
    int len = nl - pos;
    int content = (len > 0 && buf.getByte(nl - 1) == '\r') ? len - 1 : len;
    if (content > MAX_LINE_BYTES) {
      tooLong();
      return false;
    }
    byte[] line = buf.getBytes(pos, nl);
    pos = nl + 1;
    scanFrom = pos;
    mode = Mode.IDLE;
    listener.onLine(line);
    return true;
  }

  private void tooLong() {
    close();
    listener.onLineTooLong();
  }

  /** Reads only while the current record needs more bytes than are buffered. */
  private void updateFlow() {
    boolean want;
    switch (mode) {
      case LINE:
        want = true; // stepLine consumed everything it could; it needs more
        break;
      case LENGTH:
        want = buf.length() - pos < 8;
        break;
      case DATA:
        want = !held && buf.length() == pos;
        break;
      case DISCARD:
        want = buf.length() == pos;
        break;
      default:
        want = false;
    }
    if (flowing == null || flowing != want) {
      flowing = want;
      if (want) flow.resume();
      else flow.pause();
    }
    if (want && inputEnded && !endReported) {
      endReported = true;
      listener.onInputEnd();
    }
  }
}
