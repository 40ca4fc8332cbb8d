package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.FileInfo;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Depth: 1 PROPFIND of a folder of 100 000 files streams: the server runs with a 64 MiB heap, and the
 * answer (over 40 MB of XML, 80 MB as Java chars) could not be held in it, yet every entry arrives and the
 * server keeps serving. The folder is written straight into the database before the start (an upload of
 * 100 000 files would take the test many minutes); the content is never read by a PROPFIND.
 */
class PropfindMemoryTest {
  static final int FILES = 100_000;

  @TempDir Path dir;

  @Test
  void aHundredThousandEntriesStreamInBoundedMemory() throws Exception {
    Path root = Files.createDirectories(dir.resolve("store"));
    String sha = "ab".repeat(32);
    try (MetadataStore store = MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 2, 10_000,
        u -> 1L << 40, System::currentTimeMillis)) {
      List<FileInfo> files = new ArrayList<>(FILES);
      long t = 1_700_000_000_000L;
      for (int i = 0; i < FILES; i++) files.add(new FileInfo(String.format("big/file-%06d.txt", i), 1, sha, t, t));
      assertEquals(FILES, store.importFiles(DavServer.USER, files).size());
    }
    try (DavServer server = DavServer.start(dir, new JsonObject(), 1L << 40, List.of("-Xmx64m"))) {
      Path body = dir.resolve("props.xml");
      Files.writeString(body, "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:resourcetype/><D:getcontentlength/><D:getetag/>"
          + "<D:getlastmodified/><D:displayname/><D:creationdate/></D:prop></D:propfind>");
      Path out = dir.resolve("answer.xml");
      DavServer.Answer a = server.curl("-X", "PROPFIND", "-H", "Depth: 1", "--data-binary", "@" + body,
          "-o", out.toString(), server.dav() + "big/");
      assertEquals(207, a.status());
      long size = Files.size(out);
      assertTrue(size > 40_000_000, "the answer is " + size + " bytes");
      long responses;
      try (var lines = Files.lines(out)) {
        responses = lines.mapToLong(l -> l.split("<D:response>", -1).length - 1L).sum();
      }
      assertEquals(FILES + 1, responses, "the folder and every child");
      assertTrue(Files.readString(out).endsWith("</D:multistatus>\n"));
      assertEquals(207, server.curl("-X", "PROPFIND", "-H", "Depth: 0", server.dav()).status(), "still serving");
      List<String> bad = server.process.output().stream()
          .filter(l -> l.contains("OutOfMemoryError") || l.contains(" ERROR ")).toList();
      assertEquals(List.of(), bad);
    }
  }
}
