package dropbox.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One authenticated conversation with a server in the TCP protocol (tcp-protocol.md), blocking and one
 * command at a time. Every reply is read up to and including its "> " prompt, so the stream stays in step;
 * when it cannot (the server closed, a transfer broke off) the connection is marked lost and closed.
 */
public final class ProtocolConnection implements Closeable {
  static final int CHUNK = 64 * 1024;
  /** The server refuses longer lines and closes, so do not send one. */
  static final int MAX_COMMAND_BYTES = 4096;
  /** Bounds a reply line and a whole LIST reply so a broken server cannot exhaust memory. */
  static final int MAX_LINE_BYTES = 64 * 1024;
  static final int MAX_LIST_BYTES = 64 * 1024 * 1024;

  static final String SEND_FILE_DATA = "SEND_FILE_DATA";
  private static final Pattern USAGE_LINE = Pattern.compile("Usage: \\d+ of \\d+ bytes \\(\\d+ files\\)");

  /** Temp files of downloads in flight, removed if the JVM exits mid-download (Ctrl-C). */
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final Set<Path> PARTIALS = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> PARTIALS.forEach(p -> {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // nothing more can be done at exit
      }
    }), "dropbox-client-cleanup"));
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String peer;
  private boolean lost;

  ProtocolConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), CHUNK);
    this.out = new BufferedOutputStream(socket.getOutputStream(), CHUNK);
    this.peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
  }

  /** Connects and reads the greeting; the connection then waits for authenticate(). */
  public static ProtocolConnection connect(String host, int port, int connectTimeoutMillis, int readTimeoutMillis)
      throws ClientException {
    return connect(host, port, connectTimeoutMillis, readTimeoutMillis, null);
  }

  /** As above, inside TLS when tls is given (the server's TLS port): handshake first, then the greeting. */
  static ProtocolConnection connect(String host, int port, int connectTimeoutMillis, int readTimeoutMillis,
      ClientTls tls) throws ClientException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      s.setSoTimeout(readTimeoutMillis);
    } catch (UnknownHostException e) {
      closeQuietly(s);
      throw new ClientException("unknown host " + host, true);
    } catch (IOException e) {
      closeQuietly(s);
      throw new ClientException("cannot connect to " + host + ":" + port + ": " + describe(e), true);
    }
    if (tls != null) {
      try {
        s = tls.wrap(s, host, port);
      } catch (IOException e) {
        closeQuietly(s);
        throw new ClientException("TLS handshake with " + host + ":" + port + " failed: " + describe(e), true);
      } catch (ClientException e) {
        closeQuietly(s);
        throw e;
      }
    }
    try {
      ProtocolConnection c = new ProtocolConnection(s);
      c.readGreeting();
      return c;
    } catch (IOException e) {
      closeQuietly(s);
      throw new ClientException("cannot talk to " + host + ":" + port + ": " + describe(e), true);
    } catch (ClientException e) {
      closeQuietly(s);
      throw e;
    }
  }

  /** "Welcome...\n" then the auth prompt ending in ": " without a newline; a busy server sends an ERROR line. */
  void readGreeting() throws IOException, ClientException {
    String first = readLine();
    if (first == null) throw lostWith("server closed the connection before greeting");
    if (first.startsWith("ERROR")) throw lostWith(serverText(first));
    if (!first.startsWith("Welcome")) throw lostWith("unexpected greeting: " + first);
    readUntilSuffix(": ");
  }

  /** LOGIN or SIGNUP; on success the session is in the command phase (its "> " prompt consumed). */
  public void authenticate(String user, String password, boolean signup) throws ClientException {
    String line;
    try {
      line = (signup ? "SIGNUP " : "LOGIN ") + Quoting.quote(user) + " " + Quoting.quote(password);
    } catch (IllegalArgumentException e) {
      close();
      throw new ClientException(e.getMessage(), true);
    }
    if (line.getBytes(StandardCharsets.UTF_8).length >= MAX_COMMAND_BYTES) {
      close();
      throw new ClientException("user name or password too long", true);
    }
    String reply = exchange(() -> {
      sendLine(line);
      return requireLine();
    });
    if (reply.startsWith("LOGIN_SUCCESS") || reply.startsWith("SIGNUP_SUCCESS")) {
      exchange(() -> {
        String banner = requireLine();
        if (!banner.startsWith("Authenticated")) throw lostWith("unexpected reply after login: " + banner);
        requirePrompt(banner);
        return banner;
      });
      return;
    }
    // A failure is followed by the auth prompt again (or a close); either way this client gives up.
    lost = true;
    closeQuietly(socket);
    String reason = reply.startsWith("LOGIN_FAILED:") || reply.startsWith("SIGNUP_FAILED:")
        ? reply.substring(reply.indexOf(':') + 1).trim()
        : serverText(reply);
    throw new ClientException((signup ? "signup failed: " : "login failed: ") + reason, true);
  }

  /** The listing exactly as the server formats it (lines ending in '\n', prompt removed). */
  public String list(String flag) throws ClientException {
    return list(null, flag);
  }

  /**
   * LIST, or with a folder (not null) LIST of that folder's children (sub-folders first, with a trailing
   * '/'), exactly as the server formats it; an unknown folder is the server's "Folder not found".
   */
  public String list(String folder, String flag) throws ClientException {
    String command = commandLine("LIST", folder, flag);
    return exchange(() -> {
      sendLine(command);
      String first = requireLine();
      if (first.startsWith("ERROR")) throw commandError(first);
      StringBuilder text = new StringBuilder();
      String line = first;
      int bytes = 0;
      // A file name may itself contain "> ", so the reply ends at the usage line and not at the first prompt-like bytes.
      while (true) {
        text.append(line).append('\n');
        bytes += line.length() + 1;
        if (bytes > MAX_LIST_BYTES) throw lostWith("listing too long");
        if (USAGE_LINE.matcher(line).matches()) break;
        line = requireLine();
      }
      requirePrompt(line);
      return text.toString();
    });
  }

  /** The usage line "Usage: u of q bytes (n files)". */
  public String quota(String flag) throws ClientException {
    return simple(commandLine("QUOTA", null, flag));
  }

  public void delete(String name, String flag) throws ClientException {
    simple(commandLine("DELETE", name, flag));
  }

  /** Creates the folder and its parents; one already there is a success (tcp-protocol.md, MKDIR). */
  public void mkdir(String folder, String flag) throws ClientException {
    simple(commandLine("MKDIR", folder, flag));
  }

  /** Removes the folder and everything in it, in one step on the server. */
  public void rmdir(String folder, String flag) throws ClientException {
    simple(commandLine("RMDIR", folder, flag));
  }

  /** Renames or moves a file or a folder with its contents; the target must not exist. */
  public void move(String from, String to, String flag) throws ClientException {
    simple(commandLineOf("MOVE", List.of(from, to), flag));
  }

  /** Copies a file or a folder (no content is sent again; the copy counts against the quota). */
  public void copy(String from, String to, String flag) throws ClientException {
    simple(commandLineOf("COPY", List.of(from, to), flag));
  }

  /**
   * Sends a local file under the given remote name, streamed in 64 KiB chunks. The length is fixed before
   * the first byte; a file that shrinks meanwhile cannot be completed and breaks the connection, a file
   * that grows is cut at the announced length.
   */
  public long upload(String name, Path file, String flag, TransferListener progress) throws ClientException {
    String line = commandLine("UPLOAD", name, flag);
    InputStream src;
    long size;
    try {
      src = Files.newInputStream(file);
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new ClientException(file + ": no such file");
    } catch (IOException e) {
      throw new ClientException(file + ": " + describe(e));
    }
    try (InputStream source = src) {
      exchange(() -> {
        sendLine(line);
        String reply = requireLine();
        if (reply.startsWith("ERROR")) throw commandError(reply);
        if (!reply.equals(SEND_FILE_DATA)) throw lostWith("unexpected reply to UPLOAD: " + reply);
        sendBody(source, size, file, progress);
        return finishCommand(requireLine());
      });
    } catch (IOException e) {
      // Only closing the local, read-only file can fail here, after the server has stored it.
    }
    return size;
  }

  private void sendBody(InputStream source, long size, Path file, TransferListener progress)
      throws IOException, ClientException {
    byte[] len = new byte[8];
    for (int i = 0; i < 8; i++) len[i] = (byte) (size >>> (8 * i));
    byte[] buf = new byte[CHUNK];
    long sent = 0;
    progress.start(size);
    try {
      out.write(len);
      out.flush();
      while (sent < size) {
        // The server says nothing during the data phase unless it refuses the body ("File too large") and closes.
        if (in.available() > 0) throw earlyReply();
        int want = (int) Math.min(buf.length, size - sent);
        int n;
        try {
          n = source.read(buf, 0, want);
        } catch (IOException e) {
          throw lostWith("cannot read " + file + ": " + describe(e));
        }
        if (n < 0) throw lostWith(file + " shrank while it was being uploaded");
        out.write(buf, 0, n);
        sent += n;
        progress.update(sent);
      }
      out.flush();
    } catch (IOException e) {
      // The server may have refused the body and closed: its reason is likely already in our receive buffer.
      ClientException early = earlyReplyOrNull();
      throw early != null ? early : lostWith("connection lost during upload after " + sent + " of " + size + " bytes");
    } finally {
      progress.finish();
    }
  }

  private ClientException earlyReply() throws IOException, ClientException {
    String line = readLine();
    lost = true;
    return new ClientException(line == null ? "server closed the connection during upload" : serverText(line), true);
  }

  private ClientException earlyReplyOrNull() {
    try {
      socket.setSoTimeout(1000);
      String line = readLine();
      return line == null ? null : lostWith(serverText(line));
    } catch (IOException | ClientException e) {
      return null;
    }
  }

  /**
   * Fetches a file into target. The bytes go to a temp file next to target, renamed over it only after the
   * server's SUCCESS line, so a failed download never leaves a partial file behind.
   */
  public long download(String name, Path target, String flag, TransferListener progress) throws ClientException {
    String line = commandLine("DOWNLOAD", name, flag);
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) throw new ClientException(target + ": no such directory");
    if (Files.isDirectory(target)) throw new ClientException(target + " is a directory");
    Path temp;
    try {
      temp = createPartial(dir);
    } catch (IOException e) {
      throw new ClientException("cannot write in " + dir + ": " + describe(e));
    }
    PARTIALS.add(temp);
    try {
      long n = exchange(() -> {
        sendLine(line);
        long size = readLength();
        receiveBody(size, temp, progress);
        finishCommand(requireLine());
        return size;
      });
      moveInto(temp, target);
      return n;
    } finally {
      PARTIALS.remove(temp);
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: the temp file is hidden and named .dropbox-*.part
      }
    }
  }

  /**
   * A hidden, uniquely named file beside the target. Not Files.createTempFile: that makes it 0600, and the
   * renamed download should get the permissions any new file of the user gets.
   */
  private static Path createPartial(Path dir) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path p = dir.resolve(".dropbox-" + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".part");
      try {
        return Files.createFile(p);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 20) throw e;
      }
    }
  }

  /** The 8-byte little-endian length; text here instead means the server answered with a line (old servers). */
  private long readLength() throws IOException, ClientException {
    byte[] b = readFully(8);
    if (b == null) throw lostWith("server closed the connection");
    if (b[7] != 0) {
      // No real length reaches 2^56: a non-zero top byte means a text line came instead (e.g. a goodbye).
      String head = new String(b, StandardCharsets.UTF_8);
      String line = head.contains("\n") ? head.substring(0, head.indexOf('\n')) : head + nullToEmpty(readLine());
      throw lostWith(serverText(line.strip()));
    }
    long n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | (b[i] & 0xFF);
    return n;
  }

  private void receiveBody(long size, Path temp, TransferListener progress) throws IOException, ClientException {
    byte[] buf = new byte[CHUNK];
    long got = 0;
    progress.start(size);
    try (OutputStream file = Files.newOutputStream(temp)) {
      while (got < size) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, size - got));
        if (n < 0) throw lostWith("connection lost during download after " + got + " of " + size + " bytes");
        try {
          file.write(buf, 0, n);
        } catch (IOException e) {
          // The rest of the body is still on the wire; the stream cannot be brought back in step cheaply.
          throw lostWith("cannot write " + temp.getParent() + ": " + describe(e));
        }
        got += n;
        progress.update(got);
      }
    } finally {
      progress.finish();
    }
  }

  private static void moveInto(Path temp, Path target) throws ClientException {
    try {
      try {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new ClientException("cannot save " + target + ": " + describe(e));
    }
  }

  /** QUIT: the server answers "Goodbye!" and closes. Never fails: the user is leaving anyway. */
  public void quit() {
    if (!lost) {
      try {
        sendLine("QUIT");
        readLine();
      } catch (IOException | ClientException ignored) {
        // leaving anyway
      }
    }
    close();
  }

  public boolean isLost() {
    return lost;
  }

  @Override
  public void close() {
    lost = true;
    closeQuietly(socket);
  }

  // ---- reply reading ----

  private interface Step<T> {
    T run() throws IOException, ClientException;
  }

  /** Runs one command's exchange, turning I/O failures into a lost connection with a one-line reason. */
  private <T> T exchange(Step<T> step) throws ClientException {
    if (lost) throw new ClientException("not connected to " + peer, true);
    try {
      return step.run();
    } catch (SocketTimeoutException e) {
      close();
      throw new ClientException("timed out waiting for " + peer, true);
    } catch (IOException e) {
      close();
      throw new ClientException("connection to " + peer + " lost: " + describe(e), true);
    } catch (ClientException e) {
      if (e.connectionLost()) close();
      throw e;
    }
  }

  /** A one-line reply and its prompt; an ERROR line becomes the exception. */
  private String simple(String line) throws ClientException {
    return exchange(() -> {
      sendLine(line);
      return finishCommand(requireLine());
    });
  }

  /** Result line of a command: returns it on success, throws its text on ERROR; consumes the prompt. */
  private String finishCommand(String reply) throws IOException, ClientException {
    if (reply.startsWith("ERROR")) throw commandError(reply);
    requirePrompt(reply);
    if (reply.startsWith("SUCCESS") || reply.startsWith("Usage:")) return reply;
    throw new ClientException("unexpected reply: " + reply);
  }

  /** The error line's text; the connection stays usable when the prompt follows, else it is lost. */
  private ClientException commandError(String line) throws IOException, ClientException {
    int b = readPromptOrEof();
    return new ClientException(serverText(line), b < 0);
  }

  private void requirePrompt(String after) throws IOException, ClientException {
    if (readPromptOrEof() < 0) {
      throw lostWith(after.startsWith("SUCCESS") || after.startsWith("Usage:") || after.startsWith("Authenticated")
          ? "server closed the connection" : serverText(after));
    }
  }

  /** 1 when "> " was read, -1 on end of stream; anything else is a protocol error. */
  private int readPromptOrEof() throws IOException, ClientException {
    int a = in.read();
    if (a < 0) {
      lost = true;
      return -1;
    }
    int b = in.read();
    if (a == '>' && b == ' ') return 1;
    if (b < 0) {
      lost = true;
      return -1;
    }
    // Perhaps a line such as "Server is shutting down. Goodbye!" instead of the prompt.
    String rest = readLine();
    throw lostWith("unexpected reply: " + new String(new byte[] {(byte) a, (byte) b}, StandardCharsets.UTF_8)
        + (rest == null ? "" : rest));
  }

  private String requireLine() throws IOException, ClientException {
    String line = readLine();
    if (line == null) throw lostWith("server closed the connection");
    return line;
  }

  /** A '\n'-terminated line without it (and a '\r' before it); null at end of stream before any byte. */
  private String readLine() throws IOException, ClientException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (buf.size() == 0) return null;
        break;
      }
      if (b == '\n') break;
      if (buf.size() >= MAX_LINE_BYTES) throw lostWith("reply line too long");
      buf.write(b);
    }
    String s = buf.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private void readUntilSuffix(String suffix) throws IOException, ClientException {
    byte[] want = suffix.getBytes(StandardCharsets.UTF_8);
    byte[] tail = new byte[want.length];
    int seen = 0;
    while (true) {
      int b = in.read();
      if (b < 0) throw lostWith("server closed the connection during the greeting");
      if (++seen > MAX_LINE_BYTES) throw lostWith("greeting too long");
      System.arraycopy(tail, 1, tail, 0, tail.length - 1);
      tail[tail.length - 1] = (byte) b;
      if (seen >= want.length && java.util.Arrays.equals(tail, want)) return;
    }
  }

  private byte[] readFully(int n) throws IOException {
    byte[] b = new byte[n];
    int off = 0;
    while (off < n) {
      int r = in.read(b, off, n - off);
      if (r < 0) {
        if (off == 0) return null;
        lost = true;
        throw new IOException("connection closed mid-reply");
      }
      off += r;
    }
    return b;
  }

  // ---- writing ----

  /** The command line to send, checked before anything goes on the wire (the server would close on a bad one). */
  static String commandLine(String word, String name, String flag) throws ClientException {
    return commandLineOf(word, name == null ? List.of() : List.of(name), flag);
  }

  /** The same for a command of several names (MOVE, COPY), each quoted as needed. */
  static String commandLineOf(String word, List<String> names, String flag) throws ClientException {
    StringBuilder sb = new StringBuilder(word);
    try {
      for (String name : names) sb.append(' ').append(Quoting.quote(name));
    } catch (IllegalArgumentException e) {
      throw new ClientException(e.getMessage());
    }
    if (flag != null) sb.append(' ').append(flag);
    if (sb.toString().getBytes(StandardCharsets.UTF_8).length + 1 > MAX_COMMAND_BYTES) {
      throw new ClientException("name too long for the protocol");
    }
    return sb.toString();
  }

  private void sendLine(String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  // ---- helpers ----

  private ClientException lostWith(String message) {
    lost = true;
    return new ClientException(message, true);
  }

  /** "ERROR: File not found" -> "File not found": the user sees the server's reason, not its framing. */
  static String serverText(String line) {
    return line.startsWith("ERROR:") ? line.substring(6).trim() : line.trim();
  }

  static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed or never opened
    }
  }
}
