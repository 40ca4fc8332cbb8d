package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing the server keeps is readable by other local users: after real uploads over both protocols
 * (on the default engine, v2: the database with its WAL and shared-memory files, content blobs, staging of
 * an upload in flight) every directory under the storage root is 0700 and every file 0600. A root written
 * by an older version (v1 files, 0755/0644) is tightened when the server starts on it (and imported).
 */
class StoragePermissionsTest {
  @TempDir Path dir;

  @Test
  void everyFileTheServerWritesIsPrivateAndAnOlderRootIsTightenedAtStart() throws Exception {
    Path root = dir.resolve("store");
    // What an older version left: world-readable content and a world-listable tree.
    Path oldUser = root.resolve("users/old");
    Files.createDirectories(oldUser.resolve("blobs"));
    Path oldBlob = oldUser.resolve("blobs/0b0c4a4e-1111-2222-3333-444455556666");
    Files.write(oldBlob, new byte[] {1, 2, 3});
    Files.writeString(oldUser.resolve("ledger.json"), "{\"committed\":0,\"files\":0}");
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }

    String[] args = {"--storage", root.toString(), "--tcp-port", "0", "--http-port", "0"};
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      assertEquals(List.of(), loose(root), "the older root was tightened at start");
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("a.txt", "first".getBytes()));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("a.txt", "replaced".getBytes()));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("b.txt", "gone soon".getBytes()));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.command("DELETE b.txt"));
        // Those are small (kept in the database, storage.inlineMaxBytes); this one is a content file.
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("big.bin", new byte[70_000]));
      }
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.httpPort();
      String creds = new JsonObject().put("username", "webuser").put("password", "secret1").encode();
      assertEquals(201, http.send(HttpRequest.newBuilder(URI.create(base + "/api/signup"))
          .header("Content-Type", "application/json").POST(BodyPublishers.ofString(creds)).build(),
          BodyHandlers.ofString()).statusCode());
      String token = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
          .header("Content-Type", "application/json").POST(BodyPublishers.ofString(creds)).build(),
          BodyHandlers.ofString()).body()).getString("token");
      assertEquals(201, http.send(HttpRequest.newBuilder(URI.create(base + "/api/files/web.bin"))
          .header("Authorization", "Bearer " + token).PUT(BodyPublishers.ofByteArray(new byte[100_000])).build(),
          BodyHandlers.ofString()).statusCode());

      // An upload in its data phase: its staging file exists now.
      try (ClassicClient partial = ClassicClient.connect(server.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        partial.sendLine("UPLOAD half.bin");
        assertEquals("SEND_FILE_DATA\n", partial.readLine());
        partial.send(ClassicClient.le64(1_000_000));
        partial.send(new byte[200_000]);
        Path staging = root.resolve("staging/tcpuser");
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
          if (Files.isDirectory(staging)) { // made with the first streamed upload's staging file
            try (Stream<Path> s = Files.list(staging)) {
              if (s.anyMatch(p -> p.toFile().length() > 0)) break;
            }
          }
          Thread.sleep(50);
        }

        List<String> kinds = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
          all.forEach(p -> kinds.add(root.relativize(p).toString()));
        }
        // v2 keeps accounts, metadata and usage in the database (SQLite: the file and, while it is open,
        // its -wal and -shm files), content as blobs/<user>/<ab>/<sha256>, uploads in staging/<user>/.
        for (String expected : List.of("dropbox.db", "dropbox.db-wal", "dropbox.db-shm", "blobs/tcpuser",
            "blobs/webuser", "staging/tcpuser")) {
          assertTrue(kinds.contains(expected), expected + " exists, so its mode is checked: " + kinds);
        }
        assertTrue(kinds.stream().anyMatch(k -> k.matches("blobs/tcpuser/[0-9a-f]{2}/[0-9a-f]{64}")), kinds.toString());
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("staging/tcpuser/")), kinds.toString());
        assertEquals(List.of(), loose(root), "every file 0600, every directory 0700");
      }
    }
  }

  /** Entries under root (root included) whose mode is not 0700 (directories) or 0600 (files). */
  static List<String> loose(Path root) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        String mode;
        try {
          mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException gone) {
          continue; // a temp file renamed meanwhile
        }
        String want = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
        if (!mode.equals(want)) out.add(root.relativize(p) + " " + mode);
      }
    }
    return out;
  }
}
