package dropbox.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A raw TCP client that sends exactly the bytes the original C server's clients send (lines ending in
 * "\n", 8-byte little-endian lengths, waiting for SEND_FILE_DATA) and reads replies up to the prompt.
 * For tests: it asserts nothing itself, it only speaks the wire.
 */
public final class ClassicClient implements AutoCloseable {
  public static final String PROMPT = "> ";
  public static final String SUCCESS = "SUCCESS: Operation completed successfully\n";
  public static final String AUTH_PROMPT =
      "Please login or signup (LOGIN <username> <password> or SIGNUP <username> <password>): ";

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public ClassicClient(String host, int port) throws IOException {
    this(host, port, null);
  }

  /** A client whose connection comes from {@code localAddress} (e.g. 127.0.0.2: another client address on loopback). */
  public ClassicClient(String host, int port, String localAddress) throws IOException {
    socket = new Socket();
    if (localAddress != null) socket.bind(new InetSocketAddress(localAddress, 0));
    // No Nagle: an UPLOAD's length and bytes go out as two writes, and the second waited for the server's
    // delayed ACK of the first, ~40 ms an upload (a test of 1 100 uploads took 50 s).
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
    out = socket.getOutputStream();
  }

  public static ClassicClient connect(int port) throws IOException { return new ClassicClient("127.0.0.1", port); }

  public static ClassicClient connectFrom(String localAddress, int port) throws IOException {
    return new ClassicClient("127.0.0.1", port, localAddress);
  }

  /** Over a socket that is already connected (a TLS socket after its handshake). */
  public ClassicClient(Socket connected) throws IOException {
    socket = connected;
    socket.setSoTimeout(30_000);
    in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
    out = socket.getOutputStream();
  }

  /** Reads the greeting and signs up (or logs in if the account exists); throws unless it worked. */
  public ClassicClient signupOrLogin(String user, String password) throws IOException {
    readUntil(AUTH_PROMPT);
    sendLine("SIGNUP " + user + " " + password);
    String reply = readLine();
    if (reply.startsWith("SIGNUP_FAILED")) {
      readUntil(AUTH_PROMPT);
      sendLine("LOGIN " + user + " " + password);
      reply = readLine();
    }
    if (!reply.startsWith("SIGNUP_SUCCESS") && !reply.startsWith("LOGIN_SUCCESS")) {
      throw new IOException("authentication failed: " + reply);
    }
    readUntil(PROMPT);
    return this;
  }

  public void sendLine(String line) throws IOException { send((line + "\n").getBytes(StandardCharsets.UTF_8)); }

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public static byte[] le64(long n) { return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array(); }

  /** UPLOAD: waits for SEND_FILE_DATA, sends the length and bytes; returns the result text up to the prompt. */
  public String upload(String name, byte[] data) throws IOException {
    sendLine("UPLOAD " + name);
    String first = readLine();
    if (!first.equals("SEND_FILE_DATA\n")) return first + readUntil(PROMPT);
    send(le64(data.length));
    send(data);
    return readUntil(PROMPT);
  }

  /** UPLOAD streaming `size` bytes produced by a generator, never holding them all. */
  public String upload(String name, long size, java.util.function.LongFunction<byte[]> chunkAt) throws IOException {
    sendLine("UPLOAD " + name);
    String first = readLine();
    if (!first.equals("SEND_FILE_DATA\n")) return first + readUntil(PROMPT);
    send(le64(size));
    long sent = 0;
    while (sent < size) {
      byte[] chunk = chunkAt.apply(sent);
      int n = (int) Math.min(chunk.length, size - sent);
      out.write(chunk, 0, n);
      sent += n;
    }
    out.flush();
    return readUntil(PROMPT);
  }

  /** DOWNLOAD: returns the bytes (null if the server said ERROR) after reading the trailer up to the prompt. */
  public Download download(String name) throws IOException {
    sendLine("DOWNLOAD " + name);
    long n = readLe64();
    ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(n, 1 << 20));
    byte[] buf = new byte[65536];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) throw new IOException("connection closed in download data");
      body.write(buf, 0, r);
      left -= r;
    }
    String trailer = readUntil(PROMPT);
    return new Download(body.toByteArray(), trailer);
  }

  public record Download(byte[] data, String trailer) {
    public boolean ok() { return trailer.startsWith("SUCCESS"); }
  }

  /** Sends a command and returns everything up to and including the prompt. */
  public String command(String line) throws IOException {
    sendLine(line);
    return readUntil(PROMPT);
  }

  public long readLe64() throws IOException {
    byte[] b = new byte[8];
    in.readFully(b);
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  public String readLine() throws IOException { return readUntil("\n"); }

  /** Reads until the text ends with `end` (or EOF), returning all of it. */
  public String readUntil(String end) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] e = end.getBytes(StandardCharsets.UTF_8);
    while (true) {
      int c = in.read();
      if (c < 0) break;
      b.write(c);
      if (b.size() >= e.length && endsWith(b.toByteArray(), e)) break;
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  /** Everything until the server closes the connection. */
  public String readToEnd() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static boolean endsWith(byte[] a, byte[] e) {
    for (int i = 0; i < e.length; i++) if (a[a.length - e.length + i] != e[i]) return false;
    return true;
  }

  public InputStream rawIn() { return in; }

  public Socket socket() { return socket; }

  @Override
  public void close() throws IOException { socket.close(); }
}
