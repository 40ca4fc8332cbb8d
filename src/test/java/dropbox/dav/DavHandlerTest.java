package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebDAV's methods, safety rules and client quirks against the real server process, by curl and raw
 * sockets: Depth rules, hostile XML (XXE, billion laughs, oversized bodies), quota before the body,
 * X-OC-Mtime, quota properties, authentication, cross-origin writes, and consistency with TCP and REST.
 */
class DavHandlerTest {
  @TempDir static Path dir;
  static DavServer server;
  static Path files;

  @BeforeAll
  static void start() throws Exception {
    server = DavServer.start(dir, new JsonObject(), 1_000_000L);
    files = Files.createDirectories(dir.resolve("files"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      List<String> errors = server.process.output().stream().filter(l -> l.contains(" ERROR ") || l.contains("BlockedThreadChecker")).toList();
      server.close();
      assertEquals(List.of(), errors, "no ERROR line in the server log");
    }
  }

  static Path file(String name, String content) throws Exception {
    return Files.writeString(files.resolve(name), content);
  }

  /**
   * A folder moved to and fro while it is PROPFINDed: every answer is a whole 207 or a 404. The first page
   * was read after the 207's head and the folder's own entry went out, so a move in between cut the 207
   * off there (a black-box pass: 1 311 of 12 020).
   */
  @Test
  void aPropfindOfAFolderMovedMeanwhileIsWholeOrNotFound() throws Exception {
    assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "mv").status());
    Path f = file("mv.txt", "x");
    for (int i = 0; i < 5; i++) assertEquals(201, server.curl("-T", f.toString(), server.dav() + "mv/f" + i).status());
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread mover = new Thread(() -> {
      try {
        for (int i = 0; !stop.get(); i++) {
          String from = i % 2 == 0 ? "mv" : "vm";
          String to = i % 2 == 0 ? "vm" : "mv";
          server.curl("-X", "MOVE", "-H", "Destination: " + server.dav() + to, server.dav() + from);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    mover.start();
    int whole = 0;
    try {
      for (int i = 0; i < 150; i++) {
        DavServer.Answer a = server.curl("-X", "PROPFIND", "-H", "Depth: 1", server.dav() + "mv/");
        assertTrue(a.status() == 404 || (a.status() == 207 && a.body().trim().endsWith("</D:multistatus>")),
            a.status() + " " + a.body());
        if (a.status() == 207) whole++;
      }
    } finally {
      stop.set(true);
      mover.join(30_000);
    }
    assertTrue(whole > 0, "some PROPFINDs found the folder in place");
  }

  @Test
  void optionsAdvertisesClassesOneTwoThree() throws Exception {
    DavServer.Answer a = DavServer.raw(List.of("curl", "-s", "-X", "OPTIONS", server.dav()));
    assertEquals(200, a.status());
    assertEquals("1, 2, 3", a.header("DAV"));
    assertEquals("DAV", a.header("MS-Author-Via"));
    assertTrue(a.header("Allow").contains("PROPFIND") && a.header("Allow").contains("LOCK"), a.headers());
  }

  /** U+FFFE and U+FFFF are valid in a name but in no XML: before, such a file made its folder's PROPFIND unparsable. */
  @Test
  void aNameXmlCannotCarryLeavesItsFoldersListingWellFormed() throws Exception {
    assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "nonchars").status());
    Path f = file("nc.txt", "hi");
    assertEquals(201, server.curl("-T", f.toString(), server.dav() + "nonchars/a.txt").status());
    assertEquals(201, server.curl("-T", f.toString(), server.dav() + "nonchars/x%EF%BF%BEy.txt").status());
    assertEquals(201, server.curl("-T", f.toString(), server.dav() + "nonchars/z%EF%BF%BF.txt").status());
    DavServer.Answer a = server.curl("-X", "PROPFIND", "-H", "Depth: 1", server.dav() + "nonchars/");
    assertEquals(207, a.status(), a.body());
    javax.xml.parsers.DocumentBuilderFactory dbf = javax.xml.parsers.DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    org.w3c.dom.Document doc = dbf.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
        a.body().getBytes(java.nio.charset.StandardCharsets.UTF_8))); // throws on a body that is not well-formed
    org.w3c.dom.NodeList hrefs = doc.getElementsByTagNameNS("DAV:", "href");
    List<String> all = new java.util.ArrayList<>();
    for (int i = 0; i < hrefs.getLength(); i++) all.add(hrefs.item(i).getTextContent());
    assertTrue(all.stream().anyMatch(h -> h.endsWith("/nonchars/x%EF%BF%BEy.txt")), all.toString());
    assertTrue(all.stream().anyMatch(h -> h.endsWith("/nonchars/z%EF%BF%BF.txt")), all.toString());
    assertTrue(a.body().contains("<D:displayname>a.txt</D:displayname>"), a.body());
  }

  @Test
  void propfindInfinityOrWithoutDepthIsRefused() throws Exception {
    for (List<String> depth : List.of(List.of("-H", "Depth: infinity"), List.<String>of())) {
      List<String> args = new java.util.ArrayList<>(List.of("-X", "PROPFIND"));
      args.addAll(depth);
      args.add(server.dav());
      DavServer.Answer a = server.curl(args.toArray(String[]::new));
      assertEquals(403, a.status(), a.body());
      assertTrue(a.body().contains("<D:propfind-finite-depth/>"), a.body());
    }
  }

  @Test
  void xxeAndBillionLaughsAreRefused() throws Exception {
    Path xxe = file("xxe.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        + "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname>&x;</D:displayname></D:prop></D:propfind>");
    DavServer.Answer a = server.curl("-X", "PROPFIND", "-H", "Depth: 0", "--data-binary", "@" + xxe, server.dav());
    assertEquals(400, a.status(), a.body());
    assertFalse(a.body().contains("root:"), a.body());
    StringBuilder lol = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for (int i = 1; i <= 9; i++) {
      lol.append("<!ENTITY lol").append(i).append(" \"");
      for (int k = 0; k < 10; k++) lol.append("&lol").append(i == 1 ? "" : Integer.toString(i - 1)).append(';');
      lol.append("\">");
    }
    lol.append("]>\n<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><Z:x xmlns:Z=\"urn:z\">&lol9;</Z:x></D:prop>"
        + "</D:set></D:propertyupdate>");
    Path bomb = file("lol.xml", lol.toString());
    a = server.curl("-X", "PROPPATCH", "--data-binary", "@" + bomb, server.dav());
    assertEquals(400, a.status(), a.body());
    // Without a DOCTYPE, an undeclared entity is not expanded either.
    Path undeclared = file("undeclared.xml", "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:x>&lol9;</D:x></D:prop></D:propfind>");
    assertEquals(400, server.curl("-X", "PROPFIND", "-H", "Depth: 0", "--data-binary", "@" + undeclared, server.dav()).status());
    assertEquals(207, server.curl("-X", "PROPFIND", "-H", "Depth: 0", server.dav()).status(), "still serving");
  }

  @Test
  void anXmlBodyOverOneMebibyteIs413BeforeItIsSent() throws Exception {
    // Announce 100 MiB and send none of it: the answer must come without the server waiting for the body.
    String head = "PROPFIND /dav/ HTTP/1.1\r\nHost: 127.0.0.1\r\nDepth: 0\r\nAuthorization: Basic "
        + java.util.Base64.getEncoder().encodeToString((DavServer.USER + ":" + DavServer.PASSWORD).getBytes())
        + "\r\nContent-Type: application/xml\r\nContent-Length: 104857600\r\n\r\n<D:propfind";
    assertTrue(rawAnswer(head).startsWith("HTTP/1.1 413"));
    // Chunked: refused once it passes the limit, the connection closed.
    Path big = files.resolve("big.xml");
    Files.write(big, ("<D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>" + " ".repeat(1_100_000)).getBytes());
    DavServer.Answer a = server.curl("-X", "PROPFIND", "-H", "Depth: 0", "-H", "Transfer-Encoding: chunked",
        "--data-binary", "@" + big, server.dav());
    assertEquals(413, a.status());
  }

  @Test
  void putOverQuotaIs507BeforeTheBodyAndAMissingParentIs409() throws Exception {
    // 700 kB of the 1 MB quota used; then 500 kB announced and none of it sent: 507 at once.
    Path filler = files.resolve("filler.bin");
    Files.write(filler, new byte[700_000]);
    assertEquals(201, server.curl("-T", filler.toString(), server.dav() + "filler.bin").status());
    String head = "PUT /dav/huge.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
        + java.util.Base64.getEncoder().encodeToString((DavServer.USER + ":" + DavServer.PASSWORD).getBytes())
        + "\r\nContent-Length: 500000\r\n\r\n";
    String answer = rawAnswer(head);
    assertEquals(204, server.curl("-X", "DELETE", server.dav() + "filler.bin").status());
    assertTrue(answer.startsWith("HTTP/1.1 507"), answer);
    Path f = file("small.txt", "hello");
    assertEquals(409, server.curl("-T", f.toString(), server.dav() + "no/such/parent.txt").status());
  }

  @Test
  void putGetRangeAndMtime() throws Exception {
    Path f = file("range.txt", "0123456789");
    assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "rt").status());
    // A method the resource refuses is 405 with the Allow of what it takes (RFC 9110 15.5.6).
    DavServer.Answer again405 = server.curl("-X", "MKCOL", server.dav() + "rt");
    assertEquals(405, again405.status());
    assertEquals("OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK", again405.header("Allow"));
    DavServer.Answer putOnFolder = server.curl("-T", f.toString(), server.dav() + "rt");
    assertEquals(405, putOnFolder.status());
    assertEquals("OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK", putOnFolder.header("Allow"));
    DavServer.Answer put = server.curl("-T", f.toString(), "-H", "X-OC-Mtime: 1600000000", server.dav() + "rt/range.txt");
    assertEquals(201, put.status());
    assertEquals("accepted", put.header("X-OC-Mtime"));
    DavServer.Answer part = server.curl("-H", "Range: bytes=2-4", server.dav() + "rt/range.txt");
    assertEquals(206, part.status());
    assertEquals("234", part.body());
    assertEquals("nosniff", part.header("X-Content-Type-Options"));
    DavServer.Answer again = server.curl("-H", "If-None-Match: " + part.header("ETag"), server.dav() + "rt/range.txt");
    assertEquals(304, again.status());
    // Windows names a folder without its trailing slash; the href comes back with it.
    DavServer.Answer pf = server.curl("-X", "PROPFIND", "-H", "Depth: 1", server.dav() + "rt");
    assertEquals(207, pf.status());
    assertTrue(pf.body().contains("<D:href>/dav/rt/</D:href>"), pf.body());
    assertTrue(pf.body().contains("<D:getlastmodified>Sun, 13 Sep 2020 12:26:40 GMT</D:getlastmodified>"), pf.body());
    assertTrue(pf.body().contains("<D:getcontentlength>10</D:getcontentlength>"), pf.body());
    assertEquals(200, server.curl("-H", "Translate: f", server.dav() + "rt/range.txt").status());
    // A partial PUT is refused (RFC 9110 9.3.4), not stored as the whole file.
    Path frag = file("frag.txt", "abc");
    DavServer.Answer partial = server.curl("-T", frag.toString(), "-H", "Content-Range: bytes 2-4/10",
        server.dav() + "rt/range.txt");
    assertEquals(400, partial.status(), partial.body());
    assertEquals("0123456789", server.curl(server.dav() + "rt/range.txt").body());
  }

  @Test
  void quotaPropertiesShowUsedAndFreeBytes() throws Exception {
    Path body = file("quota.xml", "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:quota-used-bytes/><D:quota-available-bytes/>"
        + "</D:prop></D:propfind>");
    DavServer.Answer a = server.curl("-X", "PROPFIND", "-H", "Depth: 0", "--data-binary", "@" + body, server.dav());
    assertEquals(207, a.status());
    JsonObject usage = new JsonObject(server.curl(server.base() + "/api/me").body());
    assertNotNull(usage);
    assertTrue(a.body().matches("(?s).*<D:quota-used-bytes>\\d+</D:quota-used-bytes>.*"), a.body());
    assertTrue(a.body().matches("(?s).*<D:quota-available-bytes>\\d+</D:quota-available-bytes>.*"), a.body());
  }

  @Test
  void basicBearerAndNothing() throws Exception {
    DavServer.Answer none = DavServer.raw(List.of("curl", "-s", "-X", "PROPFIND", "-H", "Depth: 0", server.dav()));
    assertEquals(401, none.status());
    assertTrue(none.header("WWW-Authenticate").startsWith("Basic"), none.headers());
    DavServer.Answer wrong = DavServer.raw(List.of("curl", "-s", "-u", DavServer.USER + ":nope", "-X", "PROPFIND",
        "-H", "Depth: 0", server.dav()));
    assertEquals(401, wrong.status());
    DavServer.Answer bearer = DavServer.raw(List.of("curl", "-s", "-H", "Authorization: Bearer " + server.token(),
        "-X", "PROPFIND", "-H", "Depth: 0", server.dav()));
    assertEquals(207, bearer.status());
  }

  @Test
  void crossOriginWritesAreRefused() throws Exception {
    for (String m : List.of("MKCOL", "PUT", "MOVE", "PROPPATCH", "LOCK", "DELETE")) {
      DavServer.Answer a = server.curl("-X", m, "-H", "Origin: http://evil.example", server.dav() + "evil");
      assertEquals(403, a.status(), m + " " + a.body());
      assertTrue(a.body().contains("forbidden_origin"), a.body());
    }
    assertEquals(404, server.curl("-X", "PROPFIND", "-H", "Depth: 0", server.dav() + "evil").status(), "nothing made");
  }

  @Test
  void tcpUploadsShowInPropfindAndDavUploadsInTcpList() throws Exception {
    try (ClassicClient c = ClassicClient.connect(server.process.tcpPort()).signupOrLogin(DavServer.USER, DavServer.PASSWORD)) {
      assertTrue(c.upload("fromtcp.txt", "over tcp".getBytes()).startsWith("SUCCESS"));
      DavServer.Answer pf = server.curl("-X", "PROPFIND", "-H", "Depth: 1", server.dav());
      assertTrue(pf.body().contains("<D:href>/dav/fromtcp.txt</D:href>"), pf.body());
      assertEquals("over tcp", server.curl(server.dav() + "fromtcp.txt").body());
      Path f = file("fromdav.txt", "over dav");
      assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "davdir").status());
      assertEquals(201, server.curl("-T", f.toString(), server.dav() + "davdir/fromdav.txt").status());
      assertTrue(c.command("LIST davdir").contains("fromdav.txt"));
      ClassicClient.Download d = c.download("davdir/fromdav.txt");
      assertEquals("over dav", new String(d.data(), StandardCharsets.UTF_8));
      assertEquals(201, server.curl("-X", "MOVE", "-H", "Destination: " + server.dav() + "moved", server.dav() + "davdir").status());
      assertTrue(c.command("LIST moved").contains("fromdav.txt"));
      assertEquals(204, server.curl("-X", "DELETE", server.dav() + "moved").status());
      assertTrue(c.command("LIST moved").startsWith("ERROR"), "gone over TCP too");
    }
  }

  @Test
  void aBadPathIs400() throws Exception {
    assertEquals(400, server.curl("-X", "PROPFIND", "-H", "Depth: 0", "--path-as-is", server.dav() + "a/../../x").status());
    assertEquals(400, server.curl("-X", "PROPFIND", "-H", "Depth: 0", server.dav() + "%zz").status());
    // A Destination under /dav/ that is no valid path is the client's error (400); one outside /dav/ is
    // another namespace, which RFC 4918 9.8.5 answers 502.
    assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "destsrc").status());
    for (String bad : List.of("/dav/%", "/dav/../../etc/x", "/dav/a%2Fb", "http://[::1/dav/x")) {
      DavServer.Answer a = server.curl("-X", "COPY", "-H", "Destination: " + bad, server.dav() + "destsrc");
      assertEquals(400, a.status(), bad + " -> " + a.body());
    }
    assertEquals(502, server.curl("-X", "COPY", "-H", "Destination: /elsewhere/x", server.dav() + "destsrc").status());
    assertEquals(204, server.curl("-X", "DELETE", server.dav() + "destsrc").status());
  }

  /** Into itself: a folder is 403; below a file is a missing parent folder, 409 (RFC 4918 9.8.5). */
  @Test
  void copyOrMoveBelowItself() throws Exception {
    assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "selfdir").status());
    Path f = file("self.txt", "x");
    assertEquals(201, server.curl("-T", f.toString(), server.dav() + "self.txt").status());
    for (String m : List.of("COPY", "MOVE")) {
      assertEquals(403, server.curl("-X", m, "-H", "Destination: " + server.dav() + "selfdir/in",
          server.dav() + "selfdir").status(), m);
      DavServer.Answer a = server.curl("-X", m, "-H", "Destination: " + server.dav() + "self.txt/in",
          server.dav() + "self.txt");
      assertEquals(409, a.status(), m + " " + a.body());
      assertEquals(403, server.curl("-X", m, "-H", "Destination: " + server.dav() + "self.txt",
          server.dav() + "self.txt").status(), m + " onto itself");
    }
    assertEquals(200, server.curl(server.dav() + "self.txt").status(), "nothing changed");
  }

  /** Sends raw request bytes and reads the first line of the answer, with a generous timeout. */
  private static String rawAnswer(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.process.httpPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') line.append((char) c);
      return line.toString();
    }
  }
}
