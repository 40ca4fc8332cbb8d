package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;

/**
 * "Connect a drive" in headless Chromium: the panel opens from the keyboard, shows this server's WebDAV
 * address with the user's name in every line, copies it; then the rclone line it shows is run as shown (a
 * real rclone process, the password put in) and a tree uploaded through it appears in the open page live.
 */
class BrowserDriveTest {
  static final String USER = "drew";
  static final String PASSWORD = "drew-pw";

  @TempDir static Path dir;
  static TestNode node;
  static Chromium browser;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> {
      Config.put(cfg, "storage.engine", "v2");
      Config.put(cfg, "quota.defaultBytes", 50_000_000L);
    });
    browser = Chromium.launch(dir, null);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) browser.close();
    } finally {
      if (node != null) node.close();
    }
  }

  static String origin() { return "http://127.0.0.1:" + node.port(); }

  @Test
  void thePanelsAddressAndRcloneLineReallyConnectAndTheTreeShowsUpLive() throws Exception {
    Tools.require("rclone");
    node.account(USER, PASSWORD);
    browser.driver.get(origin() + "/");
    browser.await(d -> browser.id("auth-view").isDisplayed());
    browser.id("login-username").sendKeys(USER);
    browser.id("login-password").sendKeys(PASSWORD);
    browser.id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
    browser.await(d -> "Live".equals(browser.id("live-text").getText()));
    browser.await(d -> "ready".equals(browser.js("return document.getElementById('file-rows').dataset.state;")));
    browser.js("window.notReloaded = true;");

    // Reached by keyboard: focus the button, press Enter; the dialog is named by its heading.
    browser.js("document.getElementById('drive-open').focus();");
    browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
    browser.await(d -> browser.id("drive").isDisplayed());
    assertEquals("Connect a drive", browser.id("drive-open").getText());
    assertEquals("drive-title", browser.id("drive").getAttribute("aria-labelledby"));
    assertEquals("Connect a drive", browser.id("drive-title").getText());

    String url = browser.id("drive-url").getAttribute("value");
    assertEquals(origin() + "/dav/", url, "the page's own origin + /dav/");
    assertEquals(USER, browser.id("drive-user").getText());
    assertEquals("net use Z: " + url + " /user:" + USER + " *", browser.id("drive-windows").getText());
    assertEquals(url, browser.id("drive-macos").getText());
    assertEquals("dav://127.0.0.1:" + node.port() + "/dav/", browser.id("drive-files").getText());
    assertEquals("sudo mount -t davfs " + url + " /mnt/dropbox", browser.id("drive-davfs").getText());
    String rcloneLine = browser.id("drive-rclone").getText();
    assertEquals("rclone config create dropbox webdav url=" + url + " vendor=owncloud user=" + USER
        + " pass=$(rclone obscure PASSWORD) --no-obscure", rcloneLine);
    assertTrue(browser.id("drive-plain").isDisplayed(), "over http the page says Windows needs HTTPS");

    // The copy button puts the address on the clipboard.
    browser.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", origin(),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    browser.click(By.cssSelector("button[data-copy='drive-url']"));
    browser.await(d -> "Copied.".equals(browser.id("drive-copied").getText()));
    assertEquals(url, browser.driver.executeAsyncScript(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('failed: ' + e));"));
    browser.shot("d01-connect-a-drive");

    // Without the clipboard API (plain http to a host name is not a secure context) the line is selected.
    browser.js("Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});"
        + " document.getElementById('drive-copied').textContent = '';");
    browser.click(By.cssSelector("button[data-copy='drive-rclone']"));
    browser.await(d -> !browser.id("drive-copied").getText().isEmpty());
    assertEquals(rcloneLine, browser.js("return window.getSelection().toString();"), "the whole line is selected");
    browser.js("document.getElementById('drive').scrollTop = 1e6;");
    browser.shot("d01b-connect-a-drive-lines");

    // Readable on a phone: nothing in the panel makes the page or the dialog scroll sideways.
    browser.driver.manage().window().setSize(new Dimension(390, 844));
    try {
      Number scroll = (Number) browser.js("return document.getElementById('drive').scrollWidth;");
      Number width = (Number) browser.js("return document.getElementById('drive').clientWidth;");
      assertTrue(scroll.intValue() <= width.intValue(), "no sideways scrolling in the panel: " + scroll + " > " + width);
      assertTrue((Long) browser.js("return document.documentElement.scrollWidth;")
          <= (Long) browser.js("return document.documentElement.clientWidth;"));
      browser.shot("d02-connect-a-drive-phone");
    } finally {
      browser.driver.manage().window().setSize(new Dimension(1280, 900));
    }

    // Escape closes it and gives the focus back to the button.
    browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
    browser.await(d -> !browser.id("drive").isDisplayed());
    assertEquals("drive-open", browser.driver.switchTo().activeElement().getAttribute("id"));

    // The rclone line exactly as shown, with the password put in, run by a shell: it writes the remote.
    Path conf = dir.resolve("rclone.conf");
    run("env", "RCLONE_CONFIG=" + conf, "sh", "-c", rcloneLine.replace("PASSWORD", PASSWORD));
    String written = Files.readString(conf);
    assertTrue(written.contains("url = " + url) && written.contains("user = " + USER), written);
    assertFalse(written.contains(PASSWORD), "the password is stored obscured");

    Path tree = dir.resolve("local").resolve("Trip");
    Files.createDirectories(tree.resolve("day 1/raw"));
    Files.writeString(tree.resolve("notes.txt"), "notes");
    Files.write(tree.resolve("day 1/raw/photo.bin"), new byte[20_000]);
    Files.writeString(tree.resolve("day 1/list.txt"), "list");
    rclone(conf, "copy", tree.toString(), "dropbox:Trip");
    browser.await(Duration.ofSeconds(30), d -> browser.rowNames().equals(List.of("Trip")));
    browser.await(d -> browser.id("quota-text").getText().contains("3 files"));

    // Into the folder (a hash change, not a reload); a second upload through the same remote shows up live.
    browser.click(By.cssSelector("tr[data-name='Trip'] a.open"));
    browser.await(d -> browser.rowNames().equals(List.of("day 1", "notes.txt")));
    Files.writeString(tree.resolve("later.txt"), "later");
    rclone(conf, "copy", tree.toString(), "dropbox:Trip");
    browser.await(Duration.ofSeconds(30), d -> browser.rowNames().equals(List.of("day 1", "later.txt", "notes.txt")));
    browser.await(d -> browser.id("quota-text").getText().contains("4 files"));
    assertEquals(Boolean.TRUE, browser.js("return window.notReloaded === true;"), "every change arrived without a reload");
    browser.shot("d03-tree-from-rclone");

    // The server holds what rclone sent, byte for byte.
    String t = node.login(USER, PASSWORD);
    assertEquals("list", node.http.get("/api/files/Trip/day%201/list.txt", t).text());
    assertEquals(20_000, node.http.get("/api/files/Trip/day%201/raw/photo.bin", t).body().length);
  }

  /** WebDAV needs folders: on storage.engine=v1 the page offers no drive to connect. */
  @Test
  void aServerWithoutFoldersOffersNoDrive() throws Exception {
    try (TestNode v1 = TestNode.start(dir.resolve("v1"), cfg -> Config.put(cfg, "storage.engine", "v1"))) {
      v1.account("flat", "flat-pw");
      browser.driver.get("http://127.0.0.1:" + v1.port() + "/");
      browser.await(d -> browser.id("auth-view").isDisplayed() || browser.id("files-view").isDisplayed());
      if (browser.id("files-view").isDisplayed()) {
        browser.id("logout").click();
        browser.await(d -> browser.id("auth-view").isDisplayed());
      }
      browser.id("login-username").sendKeys("flat");
      browser.id("login-password").sendKeys("flat-pw");
      browser.id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
      browser.await(d -> "ready".equals(browser.js("return document.getElementById('file-rows').dataset.state;")));
      browser.await(d -> browser.id("logout").isDisplayed());
      browser.await(d -> !browser.id("drive-open").isDisplayed()); // hidden once the page knows there are no folders
      assertTrue(browser.id("logout").isDisplayed());
    }
  }

  private static void rclone(Path conf, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("rclone", "--config", conf.toString(), "--retries", "1"));
    cmd.addAll(List.of(args));
    run(cmd.toArray(String[]::new));
  }

  private static void run(String... cmd) throws Exception {
    Tools.Result r = Tools.run(List.of(cmd), new byte[0], 120);
    assertEquals(0, r.exitCode(), String.join(" ", cmd) + ":\n" + r);
  }
}
