package dropbox.dav;

import dropbox.testing.ServerProcess;
import dropbox.testing.Tools;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real server as its own process with storage.engine=v2 (set explicitly), on free ports over a temp
 * root, and one signed-up user; WebDAV is then at {@link #dav()}. Requests go through curl, a real client.
 */
final class DavServer implements AutoCloseable {
  static final String USER = "davuser";
  static final String PASSWORD = "secret1";

  final ServerProcess process;

  private DavServer(ServerProcess process) { this.process = process; }

  /** extra: more settings merged into the config file (e.g. {"dav":{"refuseMacMetadata":true}}). */
  static DavServer start(Path dir, JsonObject extra, long quota) throws Exception {
    return start(dir, extra, quota, List.of("-Xmx256m"));
  }

  /** As above with these JVM options (a smaller heap for the memory tests). */
  static DavServer start(Path dir, JsonObject extra, long quota, List<String> jvm) throws Exception {
    JsonObject cfg = new JsonObject().put("storage", new JsonObject().put("engine", "v2").put("fsync", false))
        .put("auth", new JsonObject().put("signupsPerHour", 1000));
    cfg.mergeIn(extra, true);
    Path config = dir.resolve("config.json");
    Files.writeString(config, cfg.encode());
    ServerProcess p = ServerProcess.start(dir, jvm, "--config", config.toString(),
        "--storage", dir.resolve("store").toString(), "--tcp-port", "0", "--http-port", "0",
        "--default-quota", Long.toString(quota));
    DavServer s = new DavServer(p);
    s.signup(USER, PASSWORD);
    return s;
  }

  String base() { return "http://127.0.0.1:" + process.httpPort(); }

  String dav() { return base() + "/dav/"; }

  void signup(String user, String password) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/api/signup"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", user).put("password", password).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new AssertionError("signup " + r.statusCode() + " " + r.body());
  }

  String token() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/api/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", USER).put("password", PASSWORD).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getString("token");
  }

  /** What curl saw: the status of the last answer, its headers (lower-case names) and body. */
  record Answer(int status, String headers, String body) {
    String header(String name) {
      for (String line : headers.split("\r\n")) {
        int c = line.indexOf(':');
        if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) return line.substring(c + 1).trim();
      }
      return null;
    }
  }

  /** curl with Basic credentials of the test user and these arguments (method, headers, body, URL). */
  Answer curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-u", USER + ":" + PASSWORD));
    cmd.addAll(List.of(args));
    return raw(cmd);
  }

  /** curl without credentials. */
  static Answer raw(List<String> args) throws Exception {
    Tools.require("curl");
    Path headers = Files.createTempFile("dav-headers", ".txt");
    try {
      List<String> cmd = new ArrayList<>(args);
      cmd.addAll(1, List.of("-D", headers.toString(), "-w", "\n%{http_code}"));
      Tools.Result r = Tools.run(cmd, new byte[0], 120);
      String out = r.out();
      int nl = out.lastIndexOf('\n');
      int status = Integer.parseInt(out.substring(nl + 1).trim());
      String all = Files.readString(headers);
      // With 100-continue or a redirect there are several header blocks: the last one is the answer's.
      int last = all.lastIndexOf("HTTP/");
      return new Answer(status, last >= 0 ? all.substring(last) : all, out.substring(0, nl));
    } finally {
      Files.deleteIfExists(headers);
    }
  }

  @Override
  public void close() throws Exception { process.close(); }
}
