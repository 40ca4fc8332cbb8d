package dropbox.client;

import static dropbox.client.ProtocolConnectionTest.AUTH_OK;
import static dropbox.client.ProtocolConnectionTest.GREETING;
import static dropbox.client.ProtocolConnectionTest.expectLine;
import static dropbox.client.ProtocolConnectionTest.readLength;
import static dropbox.client.ProtocolConnectionTest.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.client.ProtocolConnectionTest.FakeServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ClientMain's exit codes and messages where no real server is needed: bad command lines, local problems,
 * nothing listening, and a scripted server for login failure and the shell.
 */
class ClientMainExitCodesTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private FakeServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) server.close();
  }

  private int run(String stdin, Map<String, String> env, String... args) {
    ClientMain m = new ClientMain(env, new BufferedReader(new StringReader(stdin)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return m.execute(List.of(args));
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** One line, no stack trace. */
  private void assertOneLineError(String contains) {
    String e = stderr();
    assertTrue(e.contains(contains), e);
    assertEquals(1, e.lines().count(), e);
    assertFalse(e.contains("Exception") || e.contains("\tat "), e);
  }

  /** A port nothing listens on (FreePorts: outside the range outgoing connections draw from). */
  private static int freePort() {
    return dropbox.testing.FreePorts.reserve();
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    assertEquals(0, run("", Map.of(), "--help"));
    assertTrue(stdout().contains("usage: client"));
  }

  @Test
  void badCommandLinesExitTwoWithoutConnecting() {
    assertEquals(2, run("", Map.of(), "rename", "a", "b"));
    assertOneLineError("unknown command rename");
    err.reset();
    assertEquals(2, run("", Map.of(), "download"));
    assertOneLineError("wrong number of arguments");
    err.reset();
    assertEquals(2, run("", Map.of(), "--port", "x", "list"));
    assertOneLineError("--port");
  }

  @Test
  void aMissingLocalFileFailsBeforeConnecting() throws Exception {
    Path present = Files.writeString(dir.resolve("present"), "x");
    // Nothing listens on the port: reaching it would give another message.
    int rc = run("", Map.of("DROPBOX_PASSWORD", "pw"), "--port", String.valueOf(freePort()), "--user", "u",
        "upload", present.toString(), dir.resolve("absent.txt").toString());
    assertEquals(1, rc);
    assertOneLineError("absent.txt: no such file");
  }

  @Test
  void connectionRefusedIsOneLine() throws Exception {
    int rc = run("", Map.of("DROPBOX_PASSWORD", "pw", "DROPBOX_USER", "u"), "--port", String.valueOf(freePort()), "list");
    assertEquals(1, rc);
    assertOneLineError("cannot connect to 127.0.0.1:");
  }

  @Test
  void userAndPasswordAreReadFromStdinWithoutATerminalAndLoginFailureExitsOne() throws Exception {
    server = new FakeServer((in, o) -> {
      send(o, GREETING);
      expectLine(in, "LOGIN carol secret");
      send(o, "LOGIN_FAILED: Invalid username or password\n" + GREETING.substring(GREETING.indexOf('\n') + 1));
    });
    int rc = run("carol\nsecret\n", Map.of(), "--port", String.valueOf(server.port()), "quota");
    server.await();
    assertEquals(1, rc);
    assertOneLineError("login failed: Invalid username or password");
  }

  @Test
  void shellRunsCommandsQuotesNamesAndReportsFailuresInItsExitCode() throws Exception {
    Path local = Files.writeString(dir.resolve("my notes.txt"), "hello");
    server = new FakeServer((in, o) -> {
      send(o, GREETING);
      expectLine(in, "SIGNUP dave pass");
      send(o, AUTH_OK.replace("LOGIN_SUCCESS: Authentication successful", "SIGNUP_SUCCESS: Account created and logged in"));
      expectLine(in, "UPLOAD \"my notes.txt\" --high");
      send(o, "SEND_FILE_DATA\n");
      assertEquals(5, readLength(in));
      assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), in.readNBytes(5));
      send(o, "SUCCESS: Operation completed successfully\n> ");
      expectLine(in, "DELETE nope");
      send(o, "ERROR: File not found\n> ");
      expectLine(in, "QUOTA");
      send(o, "Usage: 5 of 100 bytes (1 files)\n> ");
      expectLine(in, "QUIT");
      send(o, "Goodbye!\n");
    });
    Map<String, String> env = new HashMap<>(Map.of("DROPBOX_PASSWORD", "pass", "DROPBOX_USER", "dave"));
    String script = String.join("\n",
        "upload \"" + local.toString().replace("\\", "\\\\") + "\" --high",
        "DELETE nope",
        "frobnicate",
        "",
        "QUOTA",
        "HELP",
        "QUIT",
        "LIST") + "\n";
    int rc = run(script, env, "--signup", "--port", String.valueOf(server.port()));
    server.await();
    assertEquals(1, rc, "a failed command makes the session's exit code non-zero");
    String o = stdout();
    assertTrue(o.contains("uploaded my notes.txt (5 bytes)"), o);
    assertTrue(o.contains("Usage: 5 of 100 bytes (1 files)"), o);
    assertTrue(o.contains("UPLOAD <local path>"), o);
    assertFalse(o.contains("dropbox> "), "no prompt when stdin is not a terminal");
    String e = stderr();
    assertTrue(e.contains("error: nope: File not found"), e);
    assertTrue(e.contains("error: unknown command FROBNICATE"), e);
  }
}
