package dropbox.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

  private static ClientOptions parse(Map<String, String> env, String... args) throws Exception {
    return ClientOptions.parse(List.of(args), env);
  }

  @Test
  void defaults() throws Exception {
    ClientOptions o = parse(Map.of());
    assertEquals("127.0.0.1", o.host());
    assertEquals(8080, o.port());
    assertNull(o.user());
    assertFalse(o.signup());
    assertNull(o.priorityFlag());
    assertEquals(300, o.timeoutSeconds());
    assertTrue(o.command().isEmpty());
  }

  @Test
  void optionsMayComeBeforeOrAfterTheCommandInBothSpellings() throws Exception {
    ClientOptions o = parse(Map.of(), "--host", "example.org", "upload", "a.txt", "--port=9000", "--user=bob",
        "--signup", "b.txt", "--HIGH", "--timeout", "5");
    assertEquals("example.org", o.host());
    assertEquals(9000, o.port());
    assertEquals("bob", o.user());
    assertTrue(o.signup());
    assertEquals("--high", o.priorityFlag());
    assertEquals(5, o.timeoutSeconds());
    assertEquals(List.of("upload", "a.txt", "b.txt"), o.command());
  }

  @Test
  void doubleDashEndsOptionsSoFilesMayStartWithDashes() throws Exception {
    ClientOptions o = parse(Map.of(), "upload", "--", "--weird", "-x");
    assertEquals(List.of("upload", "--weird", "-x"), o.command());
  }

  @Test
  void uploadTakesAFolderAndRecursionAnywhereButNoOtherCommandDoes() throws Exception {
    ClientOptions o = parse(Map.of(), "upload", "a.txt", "--to", "docs/2026", "-r", "dir");
    assertEquals(List.of("upload", "a.txt", "dir"), o.command());
    assertEquals("docs/2026", o.uploadTo());
    assertTrue(o.recursive());
    assertEquals("inbox", parse(Map.of(), "--to=inbox", "upload", "a.txt").uploadTo());
    assertNull(parse(Map.of(), "upload", "a.txt").uploadTo());
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "list", "--to", "x"));
    assertTrue(parse(Map.of(), "download", "-r", "docs").recursive());
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "download", "a", "--to", "x"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "list", "--recursive"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "upload", "a.txt", "--to"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "upload", "a.txt", "--to="));
  }

  @Test
  void userComesFromTheOptionThenTheEnvironment() throws Exception {
    assertEquals("env", parse(Map.of("DROPBOX_USER", "env")).user());
    assertEquals("opt", parse(Map.of("DROPBOX_USER", "env"), "--user", "opt").user());
  }

  @Test
  void priorityFlagsAreNormalisedAndTyposRefused() throws Exception {
    assertEquals("--low", parse(Map.of(), "--priority", "LOW").priorityFlag());
    assertEquals("--medium", parse(Map.of(), "--priority=medium").priorityFlag());
    assertEquals("--high", ClientOptions.priorityFlag("--Priority=High"));
    assertNull(ClientOptions.priorityFlag("--hihg"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--priority", "urgent"));
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--port", "0"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--port", "70000"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--port", "http"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--port"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--verbose"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--host="));
  }

  @Test
  void commandShapesAreCheckedBeforeConnecting() throws Exception {
    ClientMain.checkCommand(List.of());
    ClientMain.checkCommand(List.of("upload", "a", "b"));
    ClientMain.checkCommand(List.of("DOWNLOAD", "a"));
    ClientMain.checkCommand(List.of("download", "a", "out"));
    ClientMain.checkCommand(List.of("list"));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("upload")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("download")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("download", "a", "b", "c")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("delete")));
    ClientMain.checkCommand(List.of("list", "docs"));
    ClientMain.checkCommand(List.of("mkdir", "a/b"));
    ClientMain.checkCommand(List.of("move", "a", "b"));
    ClientMain.checkCommand(List.of("COPY", "a", "b"));
    ClientMain.checkCommand(List.of("rmdir", "a"));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("list", "x", "y")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("mkdir")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("move", "a")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("copy", "a", "b", "c")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("rmdir", "a", "b")));
    assertThrows(ClientOptions.UsageException.class, () -> ClientMain.checkCommand(List.of("rename", "a", "b")));
  }

  @Test
  void tlsOptionsPickTheTlsPortAndNormaliseThePin() throws Exception {
    ClientOptions plain = parse(Map.of(), "list");
    assertEquals(8080, plain.port());
    assertEquals(false, plain.tls());
    ClientOptions tls = parse(Map.of(), "--tls", "list");
    assertEquals(8443, tls.port());
    assertEquals(true, tls.tls());
    assertEquals(9443, parse(Map.of(), "--tls", "--port", "9443").port());
    String fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    ClientOptions pinned = parse(Map.of(), "--pin", fp.replace(":", "").toLowerCase());
    assertEquals(fp, pinned.pin());
    assertEquals(true, pinned.tls(), "--pin implies --tls: never a pinned certificate over plaintext");
    assertEquals(8443, pinned.port());
    ClientOptions ca = parse(Map.of(), "--cacert=ca.pem");
    assertEquals("ca.pem", ca.cacert());
    assertEquals(true, ca.tls());
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--pin", "12:34"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--pin", fp, "--cacert", "ca.pem"));
    assertThrows(ClientOptions.UsageException.class, () -> parse(Map.of(), "--cacert"));
  }
}
