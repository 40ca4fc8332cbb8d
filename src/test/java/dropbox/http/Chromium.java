package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by chromedriver, as every browser test class starts it, with the
 * reads those classes share. Needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install -y
 * chromium chromium-driver) and FAILS without them: a browser test that silently skips would prove nothing.
 */
final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target", "screenshots");

  final ChromeDriverService service;
  final ChromeDriver driver;

  private Chromium(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  /** A fresh browser with its profile under dir; downloads (may be null) land in that folder unasked. */
  static Chromium launch(Path dir, Path downloads, String... extraArgs) throws Exception {
    assertTrue(Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
        "browser tests need Chromium: apt-get update && apt-get install -y chromium chromium-driver");
    Files.createDirectories(SHOTS);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeOptions o = new ChromeOptions();
    o.setBinary(BINARY.toFile());
    List<String> args = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome-profile"))));
    args.addAll(List.of(extraArgs));
    o.addArguments(args);
    if (downloads != null) {
      Map<String, Object> prefs = new HashMap<>();
      prefs.put("download.default_directory", downloads.toString());
      prefs.put("download.prompt_for_download", false);
      prefs.put("safebrowsing.enabled", false);
      o.setExperimentalOption("prefs", prefs);
    }
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, o);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
    if (downloads != null) {
      driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
    }
    return new Chromium(service, driver);
  }

  <T> T await(Function<WebDriver, T> condition) { return await(Duration.ofSeconds(15), condition); }

  <T> T await(Duration limit, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, limit).until(condition);
  }

  WebElement id(String id) { return driver.findElement(By.id(id)); }

  Object js(String script, Object... args) { return driver.executeScript(script, args); }

  void shot(String name) throws Exception {
    Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  /** Read in one script: the table is re-rendered whenever an event arrives, so element handles go stale. */
  @SuppressWarnings("unchecked")
  List<String> rowNames() {
    return (List<String>) js("return [...document.querySelectorAll('#file-rows tr')].map(r => r.dataset.name);");
  }

  /** Clicks an element, again if a re-render replaced it between finding and clicking. */
  void click(By by) {
    await(d -> {
      try {
        d.findElement(by).click();
        return true;
      } catch (StaleElementReferenceException e) {
        return false;
      }
    });
  }

  /** Clicks a row's button (by its class), again if a re-render replaced it between finding and clicking. */
  void clickInRow(String name, String buttonClass) {
    click(By.cssSelector("tr[data-name=" + cssString(name) + "] button." + buttonClass));
  }

  /** A CSS string literal for any name (quotes and backslashes escaped). */
  static String cssString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
