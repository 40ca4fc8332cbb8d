package dropbox.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wire-level edge cases against a scripted fake server: replies split at awkward places, errors without a
 * prompt, zero-length downloads. The real server is exercised end to end in ClientMainTest.
 */
class ProtocolConnectionTest {
  static final String GREETING = "Welcome to DropBox Server!\n"
      + "Please login or signup (LOGIN <username> <password> or SIGNUP <username> <password>): ";
  static final String AUTH_OK = "LOGIN_SUCCESS: Authentication successful\n"
      + "Authenticated successfully. Available commands: UPLOAD <filename>, DOWNLOAD <filename>, "
      + "DELETE <filename>, LIST, QUIT\n> ";
  private static final String OK = "SUCCESS: Operation completed successfully\n> ";

  @TempDir Path dir;
  private FakeServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) server.close();
  }

  /** One scripted session on a real loopback socket; the script's failures fail the test. */
  interface Script {
    void run(InputStream in, OutputStream out) throws Exception;
  }

  static final class FakeServer implements AutoCloseable {
    final ServerSocket listener;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    FakeServer(Script script) throws IOException {
      listener = new ServerSocket(0);
      Thread t = new Thread(() -> {
        try (Socket s = listener.accept()) {
          s.setSoTimeout(10_000);
          script.run(s.getInputStream(), s.getOutputStream());
          done.complete(null);
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      }, "fake-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    void await() throws Exception {
      done.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }

  private ProtocolConnection connect(Script script) throws Exception {
    server = new FakeServer(script);
    return ProtocolConnection.connect("127.0.0.1", server.port(), 5000, 10_000);
  }

  /** Writes text in pieces of the given size, pausing so the client really sees them separately. */
  static void sendSplit(OutputStream out, String text, int piece) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += piece) {
      out.write(b, i, Math.min(piece, b.length - i));
      out.flush();
      Thread.sleep(1);
    }
  }

  static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) throw new IOException("eof in line: " + b);
      b.write(c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  static void expectLine(InputStream in, String want) throws IOException {
    String got = readLine(in);
    if (!got.equals(want)) throw new AssertionError("server expected [" + want + "] got [" + got + "]");
  }

  static void login(InputStream in, OutputStream out) throws Exception {
    send(out, GREETING);
    expectLine(in, "LOGIN alice pass");
    send(out, AUTH_OK);
  }

  static byte[] le(long n) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) b[i] = (byte) (n >>> (8 * i));
    return b;
  }

  static long readLength(InputStream in) throws IOException {
    byte[] b = in.readNBytes(8);
    if (b.length != 8) throw new IOException("short length");
    long n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | (b[i] & 0xFF);
    return n;
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private long filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.count();
    }
  }

  @Test
  void repliesSplitIntoSingleBytesAreReassembled() throws Exception {
    String listing = "=== File Listing for alice ===\n\n"
        + "Filename                       Size       Modified\n"
        + "--------                       ----       --------\n"
        + "> starts like a prompt         3          2026-11-25 14:00:00\n"
        + "ends like a prompt>            4          2026-11-25 14:00:00\n"
        + "Usage: 7 of 104857600 bytes (2 files)\n";
    ProtocolConnection c = connect((in, out) -> {
      sendSplit(out, GREETING, 1);
      expectLine(in, "LOGIN alice pass");
      sendSplit(out, AUTH_OK, 1);
      expectLine(in, "LIST --high");
      sendSplit(out, listing + "> ", 1);
      expectLine(in, "QUOTA");
      sendSplit(out, "Usage: 7 of 104857600 bytes (2 files)\n> ", 3);
      expectLine(in, "QUIT");
      send(out, "Goodbye!\n");
    });
    c.authenticate("alice", "pass", false);
    assertEquals(listing, c.list("--high"));
    assertEquals("Usage: 7 of 104857600 bytes (2 files)", c.quota(null));
    c.quit();
    server.await();
  }

  @Test
  void anErrorWithItsPromptLeavesTheConnectionUsable() throws Exception {
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "DELETE \"my file.txt\"");
      send(out, "ERROR: File not found\n> ");
      expectLine(in, "UPLOAD \"bad\\\\name\"");
      send(out, "ERROR: Invalid filename\n> ");
      expectLine(in, "DELETE \"my file.txt\" --low");
      send(out, OK);
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class, () -> c.delete("my file.txt", null));
    assertEquals("File not found", e.getMessage());
    assertFalse(e.connectionLost());
    Path local = Files.writeString(dir.resolve("x"), "data");
    e = assertThrows(ClientException.class, () -> c.upload("bad\\name", local, null, TransferListener.NONE));
    assertEquals("Invalid filename", e.getMessage());
    assertFalse(c.isLost());
    c.delete("my file.txt", "--low");
    server.await();
  }

  @Test
  void uploadSendsLittleEndianLengthThenTheBytesInChunks() throws Exception {
    byte[] data = randomBytes(3 * ProtocolConnection.CHUNK + 17, 1);
    Path local = Files.write(dir.resolve("up.bin"), data);
    long[] seen = new long[2];
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "UPLOAD \"say \\\"hi\\\".bin\" --high");
      send(out, "SEND_FILE_DATA\n");
      long n = readLength(in);
      byte[] got = in.readNBytes((int) n);
      assertArrayEquals(data, got);
      seen[0] = n;
      sendSplit(out, OK, 5);
    });
    c.authenticate("alice", "pass", false);
    long[] progress = {0, 0};
    TransferListener listener = new TransferListener() {
      @Override
      public void start(long total) {
        progress[0] = total;
      }

      @Override
      public void update(long done) {
        progress[1] = done;
      }

      @Override
      public void finish() {}
    };
    assertEquals(data.length, c.upload("say \"hi\".bin", local, "--high", listener));
    server.await();
    assertEquals(data.length, seen[0]);
    assertEquals(data.length, progress[0]);
    assertEquals(data.length, progress[1]);
  }

  @Test
  void emptyUploadSendsOnlyTheLength() throws Exception {
    Path local = Files.write(dir.resolve("empty"), new byte[0]);
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "UPLOAD empty");
      send(out, "SEND_FILE_DATA\n");
      assertEquals(0, readLength(in));
      send(out, OK);
      expectLine(in, "LIST");
      send(out, "=== File Listing for alice ===\n\nNo files found.\nUsage: 0 of 10 bytes (0 files)\n> ");
    });
    c.authenticate("alice", "pass", false);
    assertEquals(0, c.upload("empty", local, null, TransferListener.NONE));
    assertTrue(c.list(null).contains("No files found."));
    server.await();
  }

  @Test
  void fileTooLargeWithoutPromptWhileStillSendingReportsTheServersReason() throws Exception {
    // Bigger than the socket buffers, so the client is mid-write when the server refuses and closes.
    Path local = Files.write(dir.resolve("big.bin"), randomBytes(16 << 20, 2));
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "UPLOAD big.bin");
      send(out, "SEND_FILE_DATA\n");
      assertEquals(16 << 20, readLength(in));
      send(out, "ERROR: File too large (limit 1000 bytes)\n");
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class,
        () -> c.upload("big.bin", local, null, TransferListener.NONE));
    server.await();
    assertEquals("File too large (limit 1000 bytes)", e.getMessage());
    assertTrue(e.connectionLost());
    assertTrue(c.isLost());
    ClientException after = assertThrows(ClientException.class, () -> c.list(null));
    assertTrue(after.getMessage().startsWith("not connected"), after.getMessage());
  }

  @Test
  void errorLineAfterTheWholeBodyWithoutPromptIsReported() throws Exception {
    Path local = Files.write(dir.resolve("small"), new byte[10]);
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "UPLOAD small");
      send(out, "SEND_FILE_DATA\n");
      in.readNBytes(8 + 10);
      send(out, "ERROR: Idle timeout\n");
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class,
        () -> c.upload("small", local, null, TransferListener.NONE));
    assertEquals("Idle timeout", e.getMessage());
    assertTrue(e.connectionLost());
    server.await();
  }

  @Test
  void zeroLengthThenErrorIsAFailedDownloadThatLeavesNoFile() throws Exception {
    byte[] data = randomBytes(200_001, 3);
    Path target = dir.resolve("out.bin");
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "DOWNLOAD missing");
      out.write(le(0));
      out.flush();
      Thread.sleep(5);
      send(out, "ERROR: File not found\n> ");
      expectLine(in, "DOWNLOAD \"a b\"");
      // Length split from the data, and the last data bytes in the same write as the trailer.
      out.write(le(data.length), 0, 3);
      out.flush();
      Thread.sleep(5);
      out.write(le(data.length), 3, 5);
      out.write(data, 0, data.length - 10);
      out.flush();
      Thread.sleep(5);
      ByteArrayOutputStream tail = new ByteArrayOutputStream();
      tail.write(data, data.length - 10, 10);
      tail.write(OK.getBytes(StandardCharsets.UTF_8));
      out.write(tail.toByteArray());
      out.flush();
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class,
        () -> c.download("missing", target, null, TransferListener.NONE));
    assertEquals("File not found", e.getMessage());
    assertFalse(e.connectionLost());
    assertEquals(0, filesIn(dir), "no file and no temp file after a failed download");
    assertEquals(data.length, c.download("a b", target, null, TransferListener.NONE));
    assertArrayEquals(data, Files.readAllBytes(target));
    assertEquals(1, filesIn(dir), "the temp file was renamed, not copied");
    server.await();
  }

  @Test
  void aDownloadCutOffMidwayKeepsTheOldFileAndLeavesNoPartial() throws Exception {
    Path target = Files.writeString(dir.resolve("keep.txt"), "old contents");
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "DOWNLOAD keep.txt");
      out.write(le(1000));
      out.write(new byte[400]);
      out.flush();
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class,
        () -> c.download("keep.txt", target, null, TransferListener.NONE));
    assertTrue(e.connectionLost());
    assertTrue(e.getMessage().contains("400 of 1000"), e.getMessage());
    assertEquals("old contents", Files.readString(target));
    assertEquals(1, filesIn(dir));
    server.await();
  }

  @Test
  void dataFollowedByAnErrorTrailerIsAFailure() throws Exception {
    Path target = dir.resolve("t");
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "DOWNLOAD t");
      out.write(le(5));
      send(out, "helloERROR: Internal error\n> ");
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class,
        () -> c.download("t", target, null, TransferListener.NONE));
    assertEquals("Internal error", e.getMessage());
    assertEquals(0, filesIn(dir));
    server.await();
  }

  @Test
  void aGoodbyeInsteadOfALengthIsReportedAsText() throws Exception {
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "DOWNLOAD f");
      send(out, "Server is shutting down. Goodbye!\n");
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class,
        () -> c.download("f", dir.resolve("f"), null, TransferListener.NONE));
    assertEquals("Server is shutting down. Goodbye!", e.getMessage());
    assertTrue(e.connectionLost());
    assertEquals(0, filesIn(dir));
    server.await();
  }

  @Test
  void aBusyServerIsReportedAtConnect() throws Exception {
    server = new FakeServer((in, out) -> send(out, "ERROR: Server busy, please try again later\n"));
    ClientException e = assertThrows(ClientException.class,
        () -> ProtocolConnection.connect("127.0.0.1", server.port(), 5000, 10_000));
    assertEquals("Server busy, please try again later", e.getMessage());
    server.await();
  }

  @Test
  void failedLoginReportsTheReason() throws Exception {
    ProtocolConnection c = connect((in, out) -> {
      send(out, GREETING);
      expectLine(in, "SIGNUP \"bob smith\" \"p w\"");
      send(out, "SIGNUP_FAILED: Invalid username\n"
          + "Please login or signup (LOGIN <username> <password> or SIGNUP <username> <password>): ");
    });
    ClientException e = assertThrows(ClientException.class, () -> c.authenticate("bob smith", "p w", true));
    assertEquals("signup failed: Invalid username", e.getMessage());
    assertTrue(c.isLost());
    server.await();
  }

  @Test
  void promptMissingAfterAnErrorMeansTheConnectionIsGone() throws Exception {
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "LIST");
      send(out, "ERROR: Idle timeout\n");
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class, () -> c.list(null));
    assertEquals("Idle timeout", e.getMessage());
    assertTrue(e.connectionLost());
    server.await();
  }

  @Test
  void namesThatCannotBeSentAreRefusedLocally() throws Exception {
    ProtocolConnection c = connect((in, out) -> {
      login(in, out);
      expectLine(in, "LIST");
      send(out, "=== File Listing for alice ===\n\nNo files found.\nUsage: 0 of 10 bytes (0 files)\n> ");
    });
    c.authenticate("alice", "pass", false);
    ClientException e = assertThrows(ClientException.class, () -> c.delete("evil\nDELETE other", null));
    assertFalse(e.connectionLost());
    assertThrows(ClientException.class, () -> c.delete("x".repeat(5000), null));
    c.list(null); // still in step: nothing was sent for the refused names
    server.await();
  }
}
