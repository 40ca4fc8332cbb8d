package dropbox.client;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Entry point of "dropbox-server.jar client": parses the command line, logs in, then runs one command or
 * the interactive shell. Returns the exit code (0 ok, 1 any failure, 2 bad command line) and never exits
 * the JVM itself, so Main and tests can call it.
 */
public final class ClientMain {
  static final String USAGE = String.join("\n",
      "usage: client [options] [command]",
      "options:",
      "  --host H          server address (default 127.0.0.1)",
      "  --port P          TCP port (default 8080, with --tls 8443)",
      "  --tls             talk TLS (the server's tcp.tlsPort), checking its certificate",
      "                    against the system's CAs and its host name",
      "  --cacert FILE     trust the CA certificate(s) in FILE (PEM) instead; implies --tls",
      "  --pin SHA256      trust exactly the certificate with this SHA-256 fingerprint",
      "                    (hex, colons optional, as the server logs it); implies --tls",
      "  --user U          user name (default $DROPBOX_USER, else asked)",
      "  --signup          create the account instead of logging in",
      "  --high | --medium | --low | --priority=P   priority of the commands",
      "  --timeout S       seconds to wait for a reply (default 300)",
      "commands (none: interactive shell):",
      "  upload FILE...         upload files (remote name = base name, at the top level)",
      "    --to FOLDER          ...into FOLDER instead (created when missing)",
      "    -r, --recursive      ...and directories with everything under them",
      "  download PATH [OUT]    download to OUT (file or directory) or ./<last part of PATH>",
      "    -r, --recursive      ...PATH is a folder: into OUT (a directory) or ./, with its tree",
      "  delete PATH            delete a file",
      "  list [FOLDER]          list all your files, or one folder (sub-folders end in /)",
      "  mkdir FOLDER           create a folder (and its parents)",
      "  rmdir FOLDER           remove a folder and everything in it",
      "  move FROM TO           rename or move a file or folder (TO must not exist)",
      "  copy FROM TO           copy a file or folder (counts against the quota)",
      "  quota                  show used and total bytes",
      "Remote paths are names joined by /, e.g. docs/2026/report.pdf.",
      "The password is read from $DROPBOX_PASSWORD, else asked for.",
      "Exit codes: 0 ok, 1 failure, 2 bad command line, 3 TLS: server certificate not trusted",
      "(never retried without TLS).");

  private final Map<String, String> env;
  private final BufferedReader stdin;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  ClientMain(Map<String, String> env, BufferedReader stdin, PrintStream out, PrintStream err, boolean terminal) {
    this.env = env;
    this.stdin = stdin;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public static int run(String[] args) {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    return new ClientMain(System.getenv(), stdin, System.out, System.err, System.console() != null)
        .execute(Arrays.asList(args));
  }

  int execute(List<String> args) {
    ClientOptions opts;
    try {
      opts = ClientOptions.parse(args, env);
      if (opts.help()) {
        out.println(USAGE);
        return 0;
      }
      checkCommand(opts.command());
    } catch (ClientOptions.UsageException e) {
      err.println("client: " + e.getMessage() + " (see client --help)");
      return 2;
    }
    ProtocolConnection conn = null;
    try {
      List<Path> uploads = uploadsOf(opts);
      String user = opts.user() != null ? opts.user() : ask("User: ");
      String password = password(user);
      ClientTls tls = opts.tls() ? ClientTls.of(opts.cacert(), opts.pin()) : null;
      conn = ProtocolConnection.connect(opts.host(), opts.port(), 10_000, opts.timeoutSeconds() * 1000, tls);
      conn.authenticate(user, password, opts.signup());
      if (opts.command().isEmpty()) {
        ProtocolConnection shellConn = conn;
        conn = null;
        return new InteractiveShell(shellConn, stdin, out, err, terminal).run();
      }
      return runOneShot(new Actions(conn, out, terminal), opts, uploads);
    } catch (ClientTls.CertificateRejected e) {
      err.println("client: " + e.getMessage());
      return 3;
    } catch (ClientException e) {
      err.println("client: " + e.getMessage());
      return 1;
    } finally {
      if (conn != null) conn.quit();
    }
  }

  private int runOneShot(Actions actions, ClientOptions opts, List<Path> uploads) throws ClientException {
    List<String> c = opts.command();
    String flag = opts.priorityFlag();
    switch (c.get(0).toLowerCase(Locale.ROOT)) {
      case "upload" -> {
        // Like cp: one refused file (quota, name) does not stop the others while the connection is usable.
        int rc = 0;
        for (Path p : uploads) {
          try {
            if (Files.isDirectory(p)) {
              if (!actions.uploadTree(p, opts.uploadTo(), flag, err)) rc = 1;
            } else {
              actions.upload(p, opts.uploadTo(), flag);
            }
          } catch (ClientException e) {
            if (e.connectionLost()) throw e;
            err.println("client: " + e.getMessage());
            rc = 1;
          }
        }
        return rc;
      }
      case "download" -> {
        String out = c.size() > 2 ? c.get(2) : null;
        if (!opts.recursive()) {
          actions.download(c.get(1), out, flag);
        } else if (!actions.downloadTree(c.get(1), out, flag, err)) {
          return 1; // what was skipped is on err already
        }
      }
      case "delete" -> actions.delete(c.get(1), flag);
      case "list" -> actions.list(c.size() > 1 ? c.get(1) : null, flag);
      case "mkdir" -> actions.mkdir(c.get(1), flag);
      case "rmdir" -> actions.rmdir(c.get(1), flag);
      case "move" -> actions.move(c.get(1), c.get(2), flag);
      case "copy" -> actions.copy(c.get(1), c.get(2), flag);
      case "quota" -> actions.quota(flag);
      default -> throw new IllegalStateException("checked by checkCommand");
    }
    return 0;
  }

  /** Argument counts are checked before asking for a password or connecting. */
  static void checkCommand(List<String> c) throws ClientOptions.UsageException {
    if (c.isEmpty()) return;
    String word = c.get(0).toLowerCase(Locale.ROOT);
    int n = c.size() - 1;
    boolean ok = switch (word) {
      case "upload" -> n >= 1;
      case "download" -> n == 1 || n == 2;
      case "delete", "mkdir", "rmdir" -> n == 1;
      case "move", "copy" -> n == 2;
      case "list" -> n <= 1;
      case "quota" -> n == 0;
      default -> throw new ClientOptions.UsageException("unknown command " + c.get(0));
    };
    if (!ok) throw new ClientOptions.UsageException("wrong number of arguments for " + word);
  }

  /** Every local file is checked before connecting, so a typo uploads nothing. */
  private static List<Path> uploadsOf(ClientOptions opts) throws ClientException {
    List<String> c = opts.command();
    List<Path> files = new ArrayList<>();
    if (c.isEmpty() || !c.get(0).equalsIgnoreCase("upload")) return files;
    for (String a : c.subList(1, c.size())) files.add(Actions.uploadable(a, opts.recursive()));
    return files;
  }

  private String password(String user) throws ClientException {
    String p = env.get("DROPBOX_PASSWORD");
    if (p != null && !p.isEmpty()) return p;
    Console console = terminal ? System.console() : null;
    if (console != null) {
      char[] pw = console.readPassword("Password for %s: ", user);
      if (pw == null || pw.length == 0) throw new ClientException("no password given");
      return new String(pw);
    }
    return ask("Password: ");
  }

  /** A line from the terminal, or from stdin when there is none (scripts, tests). */
  private String ask(String prompt) throws ClientException {
    if (terminal) {
      out.print(prompt);
      out.flush();
    }
    String line;
    try {
      line = stdin.readLine();
    } catch (IOException e) {
      line = null;
    }
    if (line == null || line.isEmpty()) throw new ClientException("no " + prompt.replace(":", "").trim().toLowerCase(Locale.ROOT) + " given");
    return line;
  }
}
