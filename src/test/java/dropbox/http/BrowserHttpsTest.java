package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.tls.PemMaterial;
import dropbox.tls.SelfSignedCert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The UI over HTTPS in headless Chromium ({@link Chromium}): the page loads over
 * HTTP/2, it is a secure context, and sign-up, login and an upload work. Chromium trusts exactly the
 * node's self-signed key (--ignore-certificate-errors-spki-list with its SPKI hash), nothing else.
 */
class BrowserHttpsTest {
  @TempDir static Path dir;
  static TestNode node;
  static Chromium browser;
  static ChromeDriver driver;

  @BeforeAll
  static void start() throws Exception {
    // The pair first (the node reuses it), so Chromium can be told its key before it starts.
    SelfSignedCert.Paths pair = SelfSignedCert.ensure(dir.resolve("store"), "127.0.0.1");
    PemMaterial m = PemMaterial.read(pair.cert(), pair.key());
    String spki = Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(m.leaf().getPublicKey().getEncoded()));
    node = TestNode.start(dir, cfg -> {
      Config.put(cfg, "tls.selfSigned", true);
      Config.put(cfg, "tcp.tlsPort", 0); // any free port: 8443 may be taken on a shared machine
    });
    browser = Chromium.launch(dir, null, "--ignore-certificate-errors-spki-list=" + spki);
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

  static <T> T await(Function<WebDriver, T> condition) { return browser.await(Duration.ofSeconds(20), condition); }

  static WebElement id(String id) { return browser.id(id); }

  @Test
  void thePageLoadsOverHttp2AndAPersonCanSignUpLogInAndUpload() throws Exception {
    driver.get("https://localhost:" + node.port() + "/");
    await(d -> id("auth-view").isDisplayed());
    assertEquals("h2", driver.executeScript("return performance.getEntriesByType('navigation')[0].nextHopProtocol;"));
    assertEquals(Boolean.TRUE, driver.executeScript("return window.isSecureContext;"));

    id("tab-signup").click();
    id("signup-username").sendKeys("Sigrid");
    id("signup-password").sendKeys("north-sea");
    id("signup-form").findElement(By.cssSelector("button[type=submit]")).click();
    await(d -> id("auth-info").isDisplayed());
    id("login-password").sendKeys("north-sea");
    id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
    await(d -> id("files-view").isDisplayed());

    Path f = Files.writeString(dir.resolve("tls-note.txt"), "uploaded by a browser over HTTPS\n");
    id("file-input").sendKeys(f.toString());
    await(d -> rowNames().contains("tls-note.txt"));
    // The API calls the page made went over h2 as well.
    @SuppressWarnings("unchecked")
    List<String> protocols = (List<String>) driver.executeScript(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/')).map(e => e.nextHopProtocol);");
    assertTrue(!protocols.isEmpty() && protocols.stream().allMatch("h2"::equals), "API over h2: " + protocols);
  }

  static List<String> rowNames() { return browser.rowNames(); }
}
