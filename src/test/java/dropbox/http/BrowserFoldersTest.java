package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.testing.ClassicClient;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The file manager with folders (storage.engine=v2) in headless Chromium: navigating by folder links,
 * breadcrumbs and the browser's own back button, new folder, rename, move by drag and drop, multi-select
 * delete, uploading a folder tree (picker and a real drop), paging a folder of 2 500 entries in as it
 * scrolls, and live updates for the open folder only. Every result is checked through the REST API.
 */
class BrowserFoldersTest {
  @TempDir static Path dir;
  static TestNode node;
  static Chromium browser;
  static Path downloads;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> {
      Config.put(cfg, "storage.engine", "v2");
      Config.put(cfg, "quota.defaultBytes", 50_000_000L);
    });
    downloads = Files.createDirectories(dir.resolve("downloads"));
    browser = Chromium.launch(dir, downloads);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) browser.close();
    } finally {
      if (node != null) node.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  static String base() { return "http://127.0.0.1:" + node.port() + "/"; }

  static String enc(String path) {
    return Arrays.stream(path.split("/"))
        .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
  }

  /** A new account, logged in through the form (whoever was logged in before logs out first). */
  static String signIn(String user) throws Exception {
    String token = node.account(user, user + "-pw");
    logIn(user);
    return token;
  }

  /** Logs this existing account in through the form. */
  static void logIn(String user) {
    browser.driver.get(base());
    browser.await(d -> browser.id("auth-view").isDisplayed() || browser.id("files-view").isDisplayed());
    if (browser.id("files-view").isDisplayed()) {
      browser.id("logout").click();
      browser.await(d -> browser.id("auth-view").isDisplayed());
    }
    browser.id("login-username").sendKeys(user);
    browser.id("login-password").sendKeys(user + "-pw");
    browser.id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
    awaitFolder("");
    browser.await(d -> "Live".equals(browser.id("live-text").getText()));
  }

  /** Waits until the table shows this folder, loaded. */
  static void awaitFolder(String path) {
    browser.await(d -> browser.js("const b=document.getElementById('file-rows');"
        + " return !document.getElementById('files-view').hidden && b.dataset.path === arguments[0]"
        + " && b.dataset.state === 'ready';", path));
  }

  static String hash() { return (String) browser.js("return location.hash;"); }

  @SuppressWarnings("unchecked")
  static List<String> crumbs() {
    return (List<String>) browser.js("const n=document.getElementById('crumbs');"
        + " return n.hidden ? [] : [...n.querySelectorAll('a.crumb')].map(a => a.textContent);");
  }

  static void put(String token, String path, byte[] data) throws Exception {
    Http.Resp r = node.http.send("PUT", "/api/files/" + enc(path), token, data);
    assertTrue(r.status() == 201 || r.status() == 200, path + ": " + r);
  }

  static void mkdir(String token, String path) throws Exception {
    Http.Resp r = node.http.send("PUT", "/api/folders/" + enc(path), token, null);
    assertTrue(r.status() == 201 || r.status() == 200, path + ": " + r);
  }

  /** The folder's entries as the server lists them: "name" for files, "name/" for folders. */
  static List<String> serverList(String token, String folder) throws Exception {
    List<String> all = new ArrayList<>();
    String cursor = null;
    do {
      Http.Resp r = node.http.get("/api/folders/" + enc(folder) + "?limit=10000"
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), token);
      assertEquals(200, r.status(), folder + ": " + r);
      JsonObject j = r.json();
      for (Object o : j.getJsonArray("entries")) {
        JsonObject e = (JsonObject) o;
        all.add(e.getString("name") + ("folder".equals(e.getString("type")) ? "/" : ""));
      }
      cursor = j.getString("cursor");
    } while (cursor != null);
    return all;
  }

  static byte[] fetch(String token, String path) throws Exception {
    Http.Resp r = node.http.get("/api/files/" + enc(path), token);
    assertEquals(200, r.status(), path + ": " + r);
    return r.body();
  }

  static int status(String token, String path) throws Exception {
    return node.http.get("/api/files/" + enc(path), token).status();
  }

  static int folderStatus(String token, String path) throws Exception {
    return node.http.get("/api/folders/" + enc(path), token).status();
  }

  static String row(String name) { return "#file-rows tr[data-name=" + Chromium.cssString(name) + "]"; }

  /** Opens a folder row by its link, as a person clicks it. */
  static void openRow(String name, String expectedPath) {
    browser.click(By.cssSelector(row(name) + " a.open"));
    awaitFolder(expectedPath);
  }

  /**
   * An HTML5 drag from one element onto another, dispatched as the browser would (dragstart on the source,
   * dragenter/dragover/drop on the target, one DataTransfer throughout): the page's own handlers put the
   * paths on the drag and act on the drop. Returns whether the target accepted the drag (dragover
   * cancelled), i.e. whether it is a drop target at all.
   */
  static boolean drag(String sourceCss, String targetCss) {
    return (Boolean) browser.js(
        "const src = document.querySelector(arguments[0]), dst = document.querySelector(arguments[1]);"
            + " if (!src || !dst) throw new Error('no element for ' + (src ? arguments[1] : arguments[0]));"
            + " const dt = new DataTransfer();"
            + " const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,"
            + "   composed: true, dataTransfer: dt}));"
            + " fire(src, 'dragstart'); fire(dst, 'dragenter');"
            + " const accepted = !fire(dst, 'dragover');"
            + " if (accepted) fire(dst, 'drop'); else fire(dst, 'dragleave');"
            + " fire(src, 'dragend');"
            + " return accepted;", sourceCss, targetCss);
  }

  static WebElement askInput() {
    browser.await(d -> browser.id("ask").isDisplayed());
    return browser.id("ask-input");
  }

  static void answer(String value) {
    WebElement in = askInput();
    in.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
    in.sendKeys(value, Keys.ENTER);
  }

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  // ------------------------------------------------------------------ tests

  @Test
  void navigateIntoFoldersAndBackByBreadcrumbsBrowserBackAndReload() throws Exception {
    String t = signIn("nora");
    byte[] plan = bytes(30_000, 1);
    put(t, "Projects/Über 2026/plan #1.bin", plan);
    put(t, "Projects/readme.md", "read me".getBytes(StandardCharsets.UTF_8));
    put(t, "top.txt", "top".getBytes(StandardCharsets.UTF_8));
    browser.driver.navigate().refresh();
    awaitFolder("");
    assertEquals(List.of("Projects", "top.txt"), browser.rowNames(), "folders first");
    assertEquals("folder", browser.js("return document.querySelector(arguments[0]).dataset.type;", row("Projects")));
    assertEquals(List.of(), crumbs(), "at the top the heading is the whole path");

    openRow("Projects", "Projects");
    assertEquals("#/Projects", hash());
    assertEquals(List.of("Über 2026", "readme.md"), browser.rowNames());
    assertEquals(List.of("All files", "Projects"), crumbs());

    openRow("Über 2026", "Projects/Über 2026");
    assertEquals("#/Projects/%C3%9Cber%202026", hash());
    assertEquals(List.of("plan #1.bin"), browser.rowNames());
    assertEquals(List.of("All files", "Projects", "Über 2026"), crumbs());
    assertEquals("page", browser.js("return document.querySelector('#crumbs li:last-child a').getAttribute('aria-current');"));
    browser.shot("f01-nested-folder");

    // Download from inside a folder: the multi-segment path goes through the link, bytes compared.
    browser.clickInRow("plan #1.bin", "download");
    Path got = downloads.resolve("plan #1.bin");
    browser.await(d -> BrowserTest.sizeOf(got) == plan.length && noPartials());
    assertArrayEquals(plan, Files.readAllBytes(got));

    // Reload keeps the folder (the session lives in sessionStorage, the folder in the hash).
    browser.driver.navigate().refresh();
    awaitFolder("Projects/Über 2026");
    assertEquals(List.of("plan #1.bin"), browser.rowNames());

    // A breadcrumb goes up; the browser's back and forward retrace the way.
    browser.click(By.cssSelector("#crumbs a.crumb[data-path='Projects']"));
    awaitFolder("Projects");
    browser.driver.navigate().back();
    awaitFolder("Projects/Über 2026");
    browser.driver.navigate().back();
    awaitFolder("Projects");
    browser.driver.navigate().back();
    awaitFolder("");
    assertEquals(List.of("Projects", "top.txt"), browser.rowNames());
    browser.driver.navigate().forward();
    awaitFolder("Projects");

    // The keyboard: Enter on a focused folder link opens it.
    browser.driver.findElement(By.cssSelector(row("Über 2026") + " a.open")).sendKeys(Keys.ENTER);
    awaitFolder("Projects/Über 2026");

    // A folder that is not there (a stale bookmark) says so and shows the nearest folder that is.
    browser.js("location.hash = '#/Projects/nothing-here';");
    awaitFolder("Projects");
    browser.await(d -> browser.id("toast").getText().contains("nothing-here"));
  }

  @Test
  void createAndRenameFilesAndFolders() throws Exception {
    String t = signIn("olga");
    put(t, "notes.txt", "n".getBytes(StandardCharsets.UTF_8));
    put(t, "Archive/old.txt", "o".getBytes(StandardCharsets.UTF_8));
    browser.driver.navigate().refresh();
    awaitFolder("");

    // New folder, by keyboard only: the dialog's field has focus, Enter creates.
    browser.id("new-folder").click();
    askInput().sendKeys("Reports", Keys.ENTER);
    browser.await(d -> !browser.id("ask").isDisplayed());
    browser.await(d -> browser.rowNames().contains("Reports"));
    assertEquals(List.of("Archive", "Reports", "notes.txt"), browser.rowNames());
    assertEquals(200, folderStatus(t, "Reports"));

    // The same name again, and a name with a slash: the dialog stays open with the reason.
    browser.id("new-folder").click();
    askInput().sendKeys("Reports", Keys.ENTER);
    browser.await(d -> browser.id("ask-error").isDisplayed());
    assertTrue(browser.id("ask-error").getText().contains("already"), browser.id("ask-error").getText());
    answer("a/b");
    browser.await(d -> browser.id("ask-error").getText().contains("“/”"));
    browser.shot("f02-new-folder-error");
    browser.id("ask-cancel").click();
    browser.await(d -> !browser.id("ask").isDisplayed());
    assertEquals(404, folderStatus(t, "a"));

    // Rename a file: the dialog offers the name with its stem selected.
    browser.clickInRow("notes.txt", "rename");
    assertEquals("notes.txt", askInput().getAttribute("value"));
    assertEquals("notes", browser.js("const i=document.getElementById('ask-input');"
        + " return i.value.slice(i.selectionStart, i.selectionEnd);"));
    answer("minutes.txt");
    browser.await(d -> browser.rowNames().contains("minutes.txt") && !browser.rowNames().contains("notes.txt"));
    assertEquals(200, status(t, "minutes.txt"));
    assertEquals(404, status(t, "notes.txt"));

    // Rename a folder: everything inside goes along.
    browser.clickInRow("Archive", "rename");
    answer("Archive 2025");
    browser.await(d -> browser.rowNames().contains("Archive 2025"));
    assertArrayEquals("o".getBytes(StandardCharsets.UTF_8), fetch(t, "Archive 2025/old.txt"));
    assertEquals(404, folderStatus(t, "Archive"));

    // A rename onto a name that is taken: the server's 409 message, in the dialog.
    browser.clickInRow("minutes.txt", "rename");
    answer("Reports");
    browser.await(d -> browser.id("ask-error").isDisplayed());
    String shown = browser.id("ask-error").getText();
    Http.Resp conflict = node.http.json("POST", "/api/move", t,
        new JsonObject().put("from", "minutes.txt").put("to", "Reports").put("overwrite", false));
    assertEquals(409, conflict.status(), conflict.toString());
    assertEquals(conflict.json().getString("message"), shown);
    browser.shot("f03-rename-conflict");
    browser.id("ask-cancel").click();
    assertEquals(200, status(t, "minutes.txt"));
  }

  @Test
  void moveByDraggingOntoAFolderRowAndOntoABreadcrumb() throws Exception {
    String t = signIn("pia");
    put(t, "a.txt", "a".getBytes(StandardCharsets.UTF_8));
    put(t, "b.txt", "b".getBytes(StandardCharsets.UTF_8));
    put(t, "c.txt", "c".getBytes(StandardCharsets.UTF_8));
    put(t, "Inbox/deep/d.txt", "d".getBytes(StandardCharsets.UTF_8));
    mkdir(t, "Target");
    browser.driver.navigate().refresh();
    awaitFolder("");

    // A file onto a folder row.
    assertTrue(drag(row("a.txt"), row("Target")), "a folder row accepts a dragged row");
    browser.await(d -> !browser.rowNames().contains("a.txt"));
    assertEquals(List.of("a.txt"), serverList(t, "Target"));
    // A file row is no drop target.
    assertFalse(drag(row("b.txt"), row("c.txt")), "a file row refuses a drop");
    assertEquals(200, status(t, "b.txt"));

    // Two selected rows dragged together.
    browser.click(By.cssSelector(row("b.txt") + " input.pick"));
    browser.click(By.cssSelector(row("c.txt") + " input.pick"));
    browser.await(d -> "2 selected".equals(browser.id("selection-count").getText()));
    assertTrue(drag(row("c.txt"), row("Inbox")));
    browser.await(d -> !browser.rowNames().contains("b.txt") && !browser.rowNames().contains("c.txt"));
    assertEquals(List.of("deep/", "b.txt", "c.txt"), serverList(t, "Inbox"));

    // A folder onto another folder row: the whole subtree moves.
    assertTrue(drag(row("Inbox"), row("Target")));
    browser.await(d -> !browser.rowNames().contains("Inbox"));
    assertArrayEquals("d".getBytes(StandardCharsets.UTF_8), fetch(t, "Target/Inbox/deep/d.txt"));
    assertEquals(404, folderStatus(t, "Inbox"));

    // Up again by dropping onto a breadcrumb.
    openRow("Target", "Target");
    openRow("Inbox", "Target/Inbox");
    assertTrue(drag(row("b.txt"), "#crumbs a.crumb[data-path='']"), "the top breadcrumb accepts a drop");
    browser.await(d -> !browser.rowNames().contains("b.txt"));
    assertEquals(200, status(t, "b.txt"));
    assertTrue(drag(row("deep"), "#crumbs a.crumb[data-path='Target']"));
    browser.await(d -> !browser.rowNames().contains("deep"));
    assertEquals("d", new String(fetch(t, "Target/deep/d.txt"), StandardCharsets.UTF_8));
    // The open folder's own breadcrumb is no target.
    assertFalse(drag(row("c.txt"), "#crumbs a.crumb[aria-current]"));

    // A move that collides shows the server's reason and leaves both where they were.
    put(t, "c.txt", "another c".getBytes(StandardCharsets.UTF_8));
    assertTrue(drag(row("c.txt"), "#crumbs a.crumb[data-path='']"));
    browser.await(d -> browser.id("toast").getText().startsWith("Could not move “c.txt”"));
    assertEquals("c", new String(fetch(t, "Target/Inbox/c.txt"), StandardCharsets.UTF_8));
    assertEquals("another c", new String(fetch(t, "c.txt"), StandardCharsets.UTF_8));
    assertTrue(browser.rowNames().contains("c.txt"));

    // The keyboard way: Move… and a typed destination.
    browser.clickInRow("c.txt", "move");
    answer("Target/deep");
    browser.await(d -> !browser.rowNames().contains("c.txt"));
    assertEquals(List.of("c.txt", "d.txt"), serverList(t, "Target/deep"));
  }

  @Test
  void multiSelectDeletesFilesAndFoldersAfterConfirmation() throws Exception {
    String t = signIn("quinn");
    put(t, "Old/x.bin", bytes(10_000, 2));
    put(t, "Old/sub/y.bin", bytes(10_000, 3));
    put(t, "a.txt", "a".getBytes(StandardCharsets.UTF_8));
    put(t, "keep.txt", "k".getBytes(StandardCharsets.UTF_8));
    browser.driver.navigate().refresh();
    awaitFolder("");
    browser.await(d -> browser.id("quota-text").getText().contains("4 files"));

    browser.click(By.cssSelector(row("Old") + " input.pick"));
    browser.click(By.cssSelector(row("a.txt") + " input.pick"));
    browser.await(d -> browser.id("selection-bar").isDisplayed());
    assertEquals("2 selected", browser.id("selection-count").getText());
    browser.id("selection-delete").click();
    browser.await(d -> browser.id("confirm").isDisplayed());
    assertTrue(browser.id("confirm-text").getText().contains("2 items (1 folder with everything in them)"),
        browser.id("confirm-text").getText());
    browser.shot("f04-confirm-multi-delete");
    browser.id("confirm-cancel").click();
    browser.await(d -> !browser.id("confirm").isDisplayed());
    assertEquals(List.of("Old/", "a.txt", "keep.txt"), serverList(t, ""));

    browser.id("selection-delete").click();
    browser.await(d -> browser.id("confirm").isDisplayed());
    browser.id("confirm-ok").click();
    browser.await(d -> browser.rowNames().equals(List.of("keep.txt")));
    assertEquals(List.of("keep.txt"), serverList(t, ""));
    assertEquals(404, folderStatus(t, "Old"));
    browser.await(d -> browser.id("quota-text").getText().contains("1 file"));
    assertFalse(browser.id("selection-bar").isDisplayed());

    // Select all selects every row shown; the confirmation names a single file by name.
    browser.id("select-all").click();
    assertEquals("1 selected", browser.id("selection-count").getText());
    browser.id("selection-delete").click();
    browser.await(d -> browser.id("confirm").isDisplayed());
    assertTrue(browser.id("confirm-text").getText().contains("“keep.txt” will be deleted"));
    browser.id("confirm-ok").click();
    browser.await(d -> browser.id("empty").isDisplayed());
    assertEquals(List.of(), serverList(t, ""));
  }

  /**
   * Logging out ends that person's uploads: on a slow link, with files sending and waiting, the next
   * person to log in in this tab gets none of them in their account and sees none of them.
   */
  @Test
  void loggingOutEndsThatPersonsUploads() throws Exception {
    String a = signIn("leaving-ada");
    List<String> names = new ArrayList<>();
    StringBuilder paths = new StringBuilder();
    for (int i = 1; i <= 5; i++) {
      Path f = Files.write(dir.resolve("ada-private-" + i + ".bin"), bytes(300_000, 20 + i));
      names.add(f.getFileName().toString());
      paths.append(paths.length() == 0 ? "" : "\n").append(f);
    }
    browser.driver.executeCdpCommand("Network.enable", Map.of());
    browser.driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
        "downloadThroughput", -1, "uploadThroughput", 40_000));
    try {
      browser.id("file-input").sendKeys(paths.toString());
      browser.await(d -> !d.findElements(By.cssSelector("#uploads li")).isEmpty());
      browser.id("logout").click();
      browser.await(d -> browser.id("auth-view").isDisplayed());
      String b = node.account("next-vic", "next-vic-pw");
      // In the same page, as a person would (logIn() reloads it, which would end the uploads by itself).
      browser.id("login-username").clear();
      browser.id("login-username").sendKeys("next-vic");
      browser.id("login-password").sendKeys("next-vic-pw");
      browser.id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
      awaitFolder("");
      browser.driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
          "downloadThroughput", -1, "uploadThroughput", -1));
      Thread.sleep(3000); // what would have been queued has had time to go
      assertEquals(List.of(), serverList(b, ""), "nothing of ada's went into next-vic's account");
      assertEquals(List.of(), browser.rowNames());
      assertTrue(browser.driver.findElements(By.cssSelector("#uploads li")).isEmpty(), "next-vic sees no uploads of ada's");
      List<String> left = serverList(a, "");
      assertTrue(names.containsAll(left), left.toString());
      FileRoutesTest.awaitNoReservations(node, "leaving-ada");
    } finally {
      browser.driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
          "downloadThroughput", -1, "uploadThroughput", -1));
    }
  }

  /** A delete the server refuses (the file is locked over WebDAV) keeps its row and says why. */
  @Test
  void aRefusedDeleteKeepsItsRow() throws Exception {
    String t = signIn("wes");
    put(t, "locked.txt", "l".getBytes(StandardCharsets.UTF_8));
    String lockBody = "<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
        + "<D:locktype><D:write/></D:locktype></D:lockinfo>";
    Http.Resp lock = node.http.send("LOCK", "/dav/locked.txt", t, lockBody.getBytes(StandardCharsets.UTF_8),
        "Content-Type", "application/xml");
    assertEquals(200, lock.status(), lock.toString());
    browser.driver.navigate().refresh();
    awaitFolder("");
    browser.await(d -> browser.rowNames().equals(List.of("locked.txt")));
    browser.clickInRow("locked.txt", "delete");
    browser.await(d -> browser.id("confirm").isDisplayed());
    browser.id("confirm-ok").click();
    browser.await(d -> browser.id("toast").getText().startsWith("Could not delete “locked.txt”"));
    assertEquals(List.of("locked.txt"), browser.rowNames());
    assertEquals(List.of("locked.txt"), serverList(t, ""));
  }

  @Test
  void uploadAFolderTreeByPickerAndByDroppingIt() throws Exception {
    String t = signIn("rita");
    mkdir(t, "Into");
    browser.driver.navigate().refresh();
    awaitFolder("");
    openRow("Into", "Into");

    Path tree = dir.resolve("picked").resolve("Holiday");
    byte[] top = bytes(40_000, 4);
    byte[] deep = bytes(70_000, 5);
    byte[] side = "side".getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(tree.resolve("day 1/raw"));
    Files.write(tree.resolve("top.bin"), top);
    Files.write(tree.resolve("day 1/raw/deep.bin"), deep);
    Files.write(tree.resolve("day 1/side.txt"), side);

    // The webkitdirectory picker, given a directory.
    browser.id("folder-input").sendKeys(tree.toString());
    browser.await(d -> d.findElements(By.cssSelector("#uploads .upload.done")).size() == 3);
    assertEquals(List.of("Holiday/day 1/raw/deep.bin", "Holiday/day 1/side.txt", "Holiday/top.bin"),
        browser.js("return [...document.querySelectorAll('#uploads li')].map(l => l.dataset.name).sort();"));
    browser.await(d -> browser.rowNames().equals(List.of("Holiday")));
    assertEquals(List.of("day 1/", "top.bin"), serverList(t, "Into/Holiday"));
    assertEquals(List.of("raw/", "side.txt"), serverList(t, "Into/Holiday/day 1"));
    assertArrayEquals(top, fetch(t, "Into/Holiday/top.bin"));
    assertArrayEquals(deep, fetch(t, "Into/Holiday/day 1/raw/deep.bin"));
    assertArrayEquals(side, fetch(t, "Into/Holiday/day 1/side.txt"));
    browser.shot("f05-folder-uploaded");
    browser.id("uploads-clear").click();
    browser.await(d -> d.findElements(By.cssSelector("#uploads li")).isEmpty());

    // A real drop of a directory (Chromium's own drag, with the OS paths), walked through
    // webkitGetAsEntry: the empty sub-folder arrives too.
    Path dropped = dir.resolve("dropped").resolve("Camera");
    Files.createDirectories(dropped.resolve("empty"));
    Files.createDirectories(dropped.resolve("2026/jan"));
    byte[] jan = bytes(25_000, 6);
    Files.write(dropped.resolve("2026/jan/img.bin"), jan);
    Files.write(dropped.resolve("list.txt"), side);
    osDrop(dropped, "#files-title");
    browser.await(d -> d.findElements(By.cssSelector("#uploads .upload.done")).size() == 2);
    browser.await(d -> browser.rowNames().equals(List.of("Camera", "Holiday")));
    assertEquals(List.of("2026/", "empty/", "list.txt"), serverList(t, "Into/Camera"));
    assertEquals(List.of(), serverList(t, "Into/Camera/empty"));
    assertArrayEquals(jan, fetch(t, "Into/Camera/2026/jan/img.bin"));
    assertArrayEquals(side, fetch(t, "Into/Camera/list.txt"));

    // Dropped onto a folder's row, a file goes into that folder.
    Path single = Files.write(dir.resolve("single.bin"), top);
    osDrop(single, row("Holiday"));
    browser.await(d -> d.findElements(By.cssSelector("#uploads .upload.done")).size() == 3);
    assertArrayEquals(top, fetch(t, "Into/Holiday/single.bin"));
    assertEquals(List.of("Camera", "Holiday"), browser.rowNames());
  }

  /** Chromium's own drag and drop of OS paths, through DevTools: what dropping from a file manager does. */
  static void osDrop(Path path, String targetCss) {
    @SuppressWarnings("unchecked")
    Map<String, Object> at = (Map<String, Object>) browser.js(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            + " return {x: r.left + r.width / 2, y: r.top + Math.min(r.height / 2, 60)};", targetCss);
    Map<String, Object> data = Map.of("items", List.of(), "files", List.of(path.toString()), "dragOperationsMask", 1);
    for (String type : List.of("dragEnter", "dragOver", "drop")) {
      browser.driver.executeCdpCommand("Input.dispatchDragEvent",
          Map.of("type", type, "x", at.get("x"), "y", at.get("y"), "data", data));
    }
  }

  @Test
  void aLongFolderPagesInAsItScrollsWithEveryEntryOnce() throws Exception {
    // Filled before the browser looks, so the test measures paging rather than 2 500 live events.
    String t = node.account("sam", "sam-pw");
    List<String> expected = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String name = String.format("dir-%03d", i);
        expected.add(name);
        jobs.add(pool.submit(() -> { mkdir(t, "Big/" + name); return null; }));
      }
      for (int i = 0; i < 2400; i++) {
        String name = String.format("file-%04d.txt", i);
        expected.add(name);
        jobs.add(pool.submit(() -> { put(t, "Big/" + name, name.getBytes(StandardCharsets.UTF_8)); return null; }));
      }
      for (Future<?> f : jobs) f.get();
    } finally {
      pool.shutdownNow();
    }
    logIn("sam");
    openRow("Big", "Big");
    int first = browser.rowNames().size();
    assertTrue(first < 2500, "the first view holds a page, not everything: " + first);
    assertEquals("true", browser.js("return document.getElementById('file-rows').dataset.more;"));

    // Scroll to the end until the folder says it has no more.
    browser.await(Duration.ofSeconds(90), d -> {
      browser.js("window.scrollTo(0, document.body.scrollHeight);");
      return browser.js("const b=document.getElementById('file-rows');"
          + " return b.dataset.more === 'false' && b.dataset.state === 'ready';");
    });
    List<String> names = browser.rowNames();
    assertEquals(2500, names.size());
    assertEquals(2500, new HashSet<>(names).size(), "no entry twice");
    assertEquals(expected, names, "folders first, then files, in name order");
    browser.shot("f06-long-folder-end");

    // The filter searches what is loaded; sorting by size asks the server again and still pages.
    browser.id("filter").sendKeys("file-239");
    assertEquals(10, browser.rowNames().size());
    browser.js("const f=document.getElementById('filter'); f.value=''; f.dispatchEvent(new Event('input'));");
    browser.click(By.cssSelector("th[data-key='modified'] button"));
    browser.await(d -> "ascending".equals(d.findElement(By.cssSelector("th[data-key='modified']")).getAttribute("aria-sort")));
    assertEquals(2500, browser.rowNames().size(), "everything was loaded: sorted in place");
  }

  @Test
  void liveUpdatesChangeTheOpenFolderOnly() throws Exception {
    String t = signIn("tove");
    mkdir(t, "Live");
    mkdir(t, "Elsewhere");
    browser.driver.navigate().refresh();
    awaitFolder("");
    openRow("Live", "Live");
    assertEquals(List.of(), browser.rowNames());
    String fetches = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/folders/Live')).length;";
    long listings = (Long) browser.js(fetches);

    // A TCP client uploads into the open folder: the row appears, the quota bar follows.
    try (ClassicClient c = ClassicClient.connect(node.server.tcpPort())) {
      c.signupOrLogin("tove", "tove-pw");
      assertTrue(c.upload("Live/from-tcp.txt", "hello".getBytes(StandardCharsets.UTF_8)).startsWith("SUCCESS"));
    }
    browser.await(d -> browser.rowNames().contains("from-tcp.txt"));
    browser.await(d -> browser.id("quota-text").getText().contains("1 file"));

    // Changes in another folder leave the view alone (no row, no reload).
    put(t, "Elsewhere/x.txt", "x".getBytes(StandardCharsets.UTF_8));
    put(t, "x.txt", "x at the top".getBytes(StandardCharsets.UTF_8));
    browser.await(d -> browser.id("quota-text").getText().contains("3 files"));
    assertEquals(List.of("from-tcp.txt"), browser.rowNames());

    // A move is one event with both ends: out of the open folder, and into it.
    Http.Resp out = node.http.json("POST", "/api/move", t, new JsonObject().put("from", "Live/from-tcp.txt").put("to", "Elsewhere/from-tcp.txt"));
    assertEquals(200, out.status(), out.toString());
    browser.await(d -> browser.rowNames().isEmpty());
    Http.Resp in = node.http.json("POST", "/api/move", t, new JsonObject().put("from", "Elsewhere").put("to", "Live/Elsewhere"));
    assertEquals(200, in.status(), in.toString());
    browser.await(d -> browser.rowNames().equals(List.of("Elsewhere")));
    assertEquals("folder", browser.js("return document.querySelector(arguments[0]).dataset.type;", row("Elsewhere")));

    // A folder made or an upload deeper down shows its folder; a folder removed disappears.
    mkdir(t, "Live/made");
    put(t, "Live/deeper/below/f.txt", "f".getBytes(StandardCharsets.UTF_8));
    browser.await(d -> browser.rowNames().equals(List.of("Elsewhere", "deeper", "made")));
    assertEquals(serverList(t, "Live").stream().map(s -> s.replaceAll("/$", "")).toList(), browser.rowNames(),
        "the same order as the server's");
    assertEquals(204, node.http.send("DELETE", "/api/folders/Live/made", t, null).status());
    browser.await(d -> !browser.rowNames().contains("made"));
    assertEquals(listings, (Long) browser.js(fetches), "every change arrived as an event, none by reloading");

    // The open folder itself is moved away: the view follows it. Then it is deleted: back to the top.
    Http.Resp moved = node.http.json("POST", "/api/move", t, new JsonObject().put("from", "Live").put("to", "Moved"));
    assertEquals(200, moved.status(), moved.toString());
    awaitFolder("Moved");
    assertEquals("#/Moved", hash());
    assertEquals(204, node.http.send("DELETE", "/api/folders/Moved", t, null).status());
    awaitFolder("");
    browser.await(d -> browser.id("toast").getText().contains("deleted"));
    assertEquals(List.of("x.txt"), browser.rowNames());
  }

  @Test
  void readableOnAPhoneSizedScreen() throws Exception {
    String t = signIn("uma");
    put(t, "Photos/p.bin", bytes(1000, 7));
    put(t, "a rather long file name that needs to wrap on a small screen.txt", "x".getBytes(StandardCharsets.UTF_8));
    browser.driver.navigate().refresh();
    awaitFolder("");
    browser.driver.manage().window().setSize(new Dimension(390, 844));
    try {
      Number scroll = (Number) browser.js("return document.documentElement.scrollWidth;");
      Number width = (Number) browser.js("return document.documentElement.clientWidth;");
      assertTrue(scroll.intValue() <= width.intValue(), "no sideways scrolling: " + scroll + " > " + width);
      browser.shot("f07-phone");
      openRow("Photos", "Photos");
      browser.shot("f08-phone-folder");
    } finally {
      browser.driver.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  /** storage.engine=v1 has no folders: the same page works flat, with no folder control on show. */
  @Test
  void onAServerWithoutFoldersThePageStaysFlat() throws Exception {
    try (TestNode v1 = TestNode.start(dir.resolve("v1"), cfg -> Config.put(cfg, "storage.engine", "v1"))) {
      String t = v1.account("vera", "vera-pw");
      assertEquals(201, v1.http.send("PUT", "/api/files/flat.txt", t, "flat".getBytes(StandardCharsets.UTF_8)).status());
      browser.driver.get("http://127.0.0.1:" + v1.port() + "/");
      browser.await(d -> browser.id("auth-view").isDisplayed());
      browser.id("login-username").sendKeys("vera");
      browser.id("login-password").sendKeys("vera-pw");
      browser.id("login-form").findElement(By.cssSelector("button[type=submit]")).click();
      browser.await(d -> browser.rowNames().equals(List.of("flat.txt")));
      for (String control : List.of("new-folder", "selection-move")) {
        assertFalse(browser.id(control).isDisplayed(), control + " is hidden");
      }
      assertFalse(browser.driver.findElement(By.cssSelector("label[for='folder-input']")).isDisplayed());
      assertTrue(browser.driver.findElements(By.cssSelector(row("flat.txt") + " button.rename")).isEmpty());
      assertEquals(Boolean.FALSE, browser.js("return document.querySelector(arguments[0]).draggable;", row("flat.txt")));
      Path f = Files.writeString(dir.resolve("second.txt"), "second");
      browser.id("file-input").sendKeys(f.toString());
      browser.await(d -> browser.rowNames().equals(List.of("flat.txt", "second.txt")));
      assertEquals("second", v1.http.get("/api/files/second.txt", t).text());
      browser.clickInRow("flat.txt", "delete");
      browser.await(d -> browser.id("confirm").isDisplayed());
      browser.id("confirm-ok").click();
      browser.await(d -> browser.rowNames().equals(List.of("second.txt")));
      assertEquals(404, v1.http.get("/api/files/flat.txt", t).status());
      browser.id("logout").click();
      browser.await(d -> browser.id("auth-view").isDisplayed());
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
