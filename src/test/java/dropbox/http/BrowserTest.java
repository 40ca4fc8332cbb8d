package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The browser UI driven end to end in Debian's headless Chromium: a person signs up, logs in, uploads,
 * downloads, deletes, sees another client's upload arrive live and reads the server's quota message.
 * Chromium is started by {@link Chromium}, which fails the class when it is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {
  static final long QUOTA = 300_000;

  @TempDir static Path dir;
  static TestNode node;
  static Chromium browser;
  static ChromeDriver driver;
  static Path downloads;
  static int trustedPort;

  @BeforeAll
  static void start() throws Exception {
    trustedPort = dropbox.testing.FreePorts.reserve();
    node = TestNode.start(dir, cfg -> {
      Config.put(cfg, "quota.defaultBytes", QUOTA);
      // A second site of the same operator, allowed to write: the control case of the CSRF test.
      Config.put(cfg, "http.allowedOrigins", "http://127.0.0.1:" + trustedPort);
    });
    downloads = Files.createDirectories(dir.resolve("downloads"));
    browser = Chromium.launch(dir, downloads);
    driver = browser.driver;
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) browser.close();
    } finally {
      if (node != null) node.close();
    }
  }

  static <T> T await(Function<WebDriver, T> condition) { return browser.await(condition); }

  static WebElement id(String id) { return browser.id(id); }

  static void shot(String name) throws Exception { browser.shot(name); }

  static List<String> rowNames() { return browser.rowNames(); }

  static void clickInRow(String name, String buttonClass) { browser.clickInRow(name, buttonClass); }

  static double quotaPercent() { return Double.parseDouble(id("quota-bar").getAttribute("aria-valuenow")); }

  static Path file(String name, int size, long seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    Path p = dir.resolve("src").resolve(name);
    Files.createDirectories(p.getParent());
    return Files.write(p, b);
  }

  @Test
  @Order(1)
  void aPersonsWholeSession() throws Exception {
    driver.get("http://127.0.0.1:" + node.port() + "/");
    await(d -> id("auth-view").isDisplayed());
    shot("01-login");

    // Sign up, then log in with the new account.
    id("tab-signup").click();
    id("signup-username").sendKeys("Ursula");
    id("signup-password").sendKeys("sea-witch");
    id("signup-form").findElement(By.cssSelector("button[type=submit]")).click();
    await(d -> id("auth-info").isDisplayed());
    assertTrue(id("auth-info").getText().contains("Ursula"), id("auth-info").getText());
    shot("02-signed-up");
    assertEquals("Ursula", id("login-username").getAttribute("value"));
    id("login-password").sendKeys("sea-witch");
    id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
    await(d -> id("files-view").isDisplayed() && id("empty").isDisplayed());
    await(d -> "Live".equals(id("live-text").getText()));
    assertEquals(0.0, quotaPercent());
    shot("03-empty");

    // A wrong login shows the server's message, not a browser dialog (checked later after logout).
    ((JavascriptExecutor) driver).executeScript("window.__noReload = true;");

    // Upload two files through the file input; both progress bars reach 100 %.
    Path a = file("alpha.bin", 60_000, 1);
    Path b = file("beta notes.txt", 20_000, 2);
    id("file-input").sendKeys(a + "\n" + b);
    await(d -> d.findElements(By.cssSelector("#uploads .upload.done")).size() == 2);
    assertEquals(List.of(100L, 100L), driver.executeScript(
        "return [...document.querySelectorAll('#uploads progress')].map(p => p.value);"));
    assertEquals(List.of("Done · 100 %", "Done · 100 %"), driver.executeScript(
        "return [...document.querySelectorAll('#uploads .upload-status')].map(s => s.textContent);"));
    await(d -> rowNames().size() == 2);
    assertEquals(List.of("alpha.bin", "beta notes.txt"), rowNames());
    double afterUploads = quotaPercent();
    assertEquals(26.7, afterUploads, 0.11, "80 000 of 300 000 bytes");
    assertTrue(id("quota-text").getText().contains("2 files"), id("quota-text").getText());
    shot("04-files");

    // Download: an ordinary browser download, compared byte for byte.
    clickInRow("alpha.bin", "download");
    Path got = downloads.resolve("alpha.bin");
    await(d -> Files.exists(got) && sizeOf(got) == 60_000 && noPartials());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(got));

    // A classic TCP client uploads: the row appears without a reload.
    tcpUpload("ursula", "sea-witch", "from elsewhere.txt", "from elsewhere".getBytes(StandardCharsets.UTF_8));
    await(d -> rowNames().contains("from elsewhere.txt"));
    String token = node.login("ursula", "sea-witch");
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return window.__noReload === true;"));

    // Sort by size and filter by name.
    driver.findElement(By.cssSelector("th[data-key='size'] button")).click();
    assertEquals(List.of("from elsewhere.txt", "beta notes.txt", "alpha.bin"), rowNames());
    id("filter").sendKeys("be");
    assertEquals(List.of("beta notes.txt"), rowNames());
    id("filter").clear();
    id("filter").sendKeys("zzz");
    await(d -> id("empty").isDisplayed());
    assertTrue(id("empty-title").getText().contains("No matching"));
    ((JavascriptExecutor) driver).executeScript("const f=document.getElementById('filter'); f.value=''; f.dispatchEvent(new Event('input'));");
    await(d -> rowNames().size() == 3);

    // Delete with confirmation: Cancel keeps the file, Delete removes it and the quota bar moves.
    clickInRow("alpha.bin", "delete");
    await(d -> id("confirm").isDisplayed());
    shot("05-confirm-delete");
    id("confirm-cancel").click();
    assertTrue(rowNames().contains("alpha.bin"));
    double before = quotaPercent();
    clickInRow("alpha.bin", "delete");
    await(d -> id("confirm").isDisplayed());
    id("confirm-ok").click();
    await(d -> !rowNames().contains("alpha.bin"));
    await(d -> quotaPercent() < before);

    // A slow upload shows its progress and can be cancelled: nothing is stored, nothing stays reserved.
    driver.executeCdpCommand("Network.enable", Map.of());
    driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
        "downloadThroughput", -1, "uploadThroughput", 40_000));
    Path slow = file("slow.bin", 150_000, 4);
    id("file-input").sendKeys(slow.toString());
    await(d -> {
      Object p = ((JavascriptExecutor) d).executeScript(
          "const li=document.querySelector(\"#uploads li[data-name='slow.bin']\"); return li ? li.querySelector('progress').value : 0;");
      return ((Number) p).doubleValue() > 0;
    });
    shot("05b-uploading");
    await(d -> {
      try {
        d.findElement(By.cssSelector("#uploads li[data-name='slow.bin'] button.cancel")).click();
        return true;
      } catch (StaleElementReferenceException e) {
        return false;
      }
    });
    await(d -> d.findElements(By.cssSelector("#uploads li.cancelled[data-name='slow.bin']")).size() == 1);
    driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
        "downloadThroughput", -1, "uploadThroughput", -1));
    FileRoutesTest.awaitNoReservations(node, "ursula");
    assertTrue(!rowNames().contains("slow.bin"));
    assertEquals(404, node.http.get("/api/files/slow.bin", token).status());

    // A quota-exceeded upload shows the server's own message.
    assertEquals(201, node.http.send("PUT", "/api/files/filler", token, new byte[200_000]).status());
    await(d -> rowNames().contains("filler"));
    Http.Resp refused = node.http.send("PUT", "/api/files/too%20much.bin", token, new byte[90_000]);
    assertEquals(507, refused.status());
    String serverMessage = refused.json().getString("message");
    Path big = file("too much.bin", 90_000, 3);
    id("file-input").sendKeys(big.toString());
    await(d -> !d.findElements(By.cssSelector("#uploads .upload.failed")).isEmpty());
    String shown = driver.findElement(By.cssSelector("#uploads .upload.failed .upload-status")).getText();
    assertEquals(serverMessage, shown);
    assertTrue(!rowNames().contains("too much.bin"));
    shot("06-quota-exceeded");

    // Phone width stays usable.
    driver.manage().window().setSize(new Dimension(390, 844));
    shot("07-phone");
    driver.manage().window().setSize(new Dimension(1280, 900));

    // Log out; a wrong password then shows the server's message.
    id("logout").click();
    await(d -> id("auth-view").isDisplayed());
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return sessionStorage.getItem('dropbox.token') === null;"));
    id("login-username").sendKeys("ursula");
    id("login-password").sendKeys("wrong");
    id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
    await(d -> id("auth-error").isDisplayed());
    assertEquals("Invalid username or password", id("auth-error").getText().replaceAll("\\.$", ""));
    shot("08-login-error");
  }

  /**
   * The page another site would serve: it uploads with the browser's cached Basic credentials for our
   * origin, once by a no-cors fetch of a multipart body and once by submitting a multipart form
   * (navigating there), each carrying a file made up in JavaScript.
   */
  static String attackPage(String target, String prefix) {
    return "<!doctype html><html><head><title>cat pictures</title></head><body>"
        + "<form id='f' method='POST' enctype='multipart/form-data' action='" + target + "/api/files'>"
        + "<input type='file' name='file' id='i'></form><script>\n"
        + "(async () => {\n"
        + "  const fd = new FormData();\n"
        + "  fd.append('file', new File(['pwned by fetch'], '" + prefix + "-fetch.txt'));\n"
        + "  try { await fetch('" + target + "/api/files', {method: 'POST', mode: 'no-cors', credentials: 'include', body: fd}); }"
        + " catch (e) { }\n"
        + "  const dt = new DataTransfer();\n"
        + "  dt.items.add(new File(['pwned by form'], '" + prefix + "-form.txt'));\n"
        + "  document.getElementById('i').files = dt.files;\n"
        + "  document.getElementById('f').submit();\n"
        + "})();\n</script></body></html>";
  }

  /**
   * Runs after the UI session: the Basic credentials it leaves cached in the browser would otherwise be
   * attached to that session's download-link requests.
   */
  @Test
  @Order(2)
  void aPageOnAnotherOriginCannotWriteWithTheBrowsersCredentials() throws Exception {
    Http.Resp signup = node.http.json("POST", "/api/signup", null,
        new io.vertx.core.json.JsonObject().put("username", "mark").put("password", "mark-pw"));
    assertEquals(201, signup.status(), signup.toString());
    String ours = "http://127.0.0.1:" + node.port();
    // The victim used the API in this browser with Basic auth: the credentials are now cached for our origin.
    driver.get("http://mark:mark-pw@127.0.0.1:" + node.port() + "/api/me");
    await(d -> d.getPageSource().contains("\"username\":\"mark\""));

    io.vertx.core.http.HttpServer evil = node.vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8")
            .end(attackPage(ours, req.path().contains("trusted") ? "trusted" : "evil")))
        .listen(0, "127.0.0.1").await();
    io.vertx.core.http.HttpServer trusted = node.vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8")
            .end(attackPage(ours, "trusted")))
        .listen(trustedPort, "127.0.0.1").await();
    try {
      // A foreign site (localhost is another site than 127.0.0.1): refused, nothing written.
      driver.get("http://localhost:" + evil.actualPort() + "/cats.html");
      await(d -> d.getCurrentUrl().startsWith(ours));
      await(d -> d.getPageSource().contains("forbidden_origin"));
      shot("09-csrf-refused");

      // Control: the same page from an origin listed in http.allowedOrigins does write, so the refusal
      // above is the Origin check and not a browser that would not have sent the credentials anyway.
      driver.get("http://127.0.0.1:" + trustedPort + "/trusted.html");
      await(d -> d.getCurrentUrl().startsWith(ours));
      await(d -> d.getPageSource().contains("trusted-form.txt"));
    } finally {
      evil.close().await();
      trusted.close().await();
    }
    String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("mark:mark-pw".getBytes(StandardCharsets.UTF_8));
    Http.Resp list = node.http.send("GET", "/api/files", null, null, "Authorization", basic);
    List<String> names = list.json().getJsonArray("files").stream()
        .map(f -> ((io.vertx.core.json.JsonObject) f).getString("name")).toList();
    assertTrue(names.contains("trusted-form.txt"), "the allowed origin's form upload went through: " + names);
    assertTrue(names.stream().noneMatch(n -> n.startsWith("evil")), "the foreign page wrote nothing: " + names);
  }

  /** The TCP protocol by hand: greeting, LOGIN, UPLOAD, SEND_FILE_DATA, 8-byte LE length, bytes, SUCCESS. */
  static void tcpUpload(String user, String password, String name, byte[] data) throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.server.tcpPort())) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      readUntil(in, "LOGIN <username> <password> or SIGNUP <username> <password>): ");
      out.write(("LOGIN " + user + " " + password + "\n").getBytes(StandardCharsets.UTF_8));
      assertTrue(readUntil(in, "> ").contains("LOGIN_SUCCESS"));
      out.write(("UPLOAD \"" + name + "\"\n").getBytes(StandardCharsets.UTF_8));
      readUntil(in, "SEND_FILE_DATA\n");
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array());
      out.write(data);
      out.flush();
      String reply = readUntil(in, "> ");
      assertTrue(reply.startsWith("SUCCESS: Operation completed successfully"), reply);
      out.write("QUIT\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  static String readUntil(InputStream in, String end) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (!b.toString(StandardCharsets.UTF_8).endsWith(end)) {
      int c = in.read();
      if (c < 0) throw new AssertionError("TCP connection closed after: " + b.toString(StandardCharsets.UTF_8));
      b.write(c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (Exception e) {
      return -1;
    }
  }

  static boolean noPartials() {
    try (Stream<Path> s = Files.list(downloads)) {
      return s.noneMatch(p -> p.getFileName().toString().endsWith(".crdownload"));
    } catch (Exception e) {
      return false;
    }
  }

}
