package dropbox.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The client's command line: options (anywhere, until "--") and the command words. Parsing is pure so it
 * can be tested without a server; a bad command line throws UsageException (exit code 2).
 */
public record ClientOptions(String host, int port, String user, boolean signup, String priorityFlag,
    int timeoutSeconds, boolean help, List<String> command, boolean tls, String cacert, String pin,
    String uploadTo, boolean recursive) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  /** The server's implicit-TLS port (tcp.tlsPort), the default with --tls. */
  public static final int DEFAULT_TLS_PORT = 8443;

  /** The options without TLS (as before --tls existed). */
  public ClientOptions(String host, int port, String user, boolean signup, String priorityFlag,
      int timeoutSeconds, boolean help, List<String> command) {
    this(host, port, user, signup, priorityFlag, timeoutSeconds, help, command, false, null, null, null, false);
  }
  /** Long enough for a throttled login (up to 30 s) and a commit under load; a dead server still ends. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 300;

  public static class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message, null, false, false);
    }
  }

  public static ClientOptions parse(List<String> args, Map<String, String> env) throws UsageException {
    String host = DEFAULT_HOST;
    int port = -1;
    boolean tls = false;
    String cacert = null;
    String pin = null;
    String user = null;
    boolean signup = false;
    String flag = null;
    int timeout = DEFAULT_TIMEOUT_SECONDS;
    boolean help = false;
    String uploadTo = null;
    boolean recursive = false;
    List<String> command = new ArrayList<>();
    boolean optionsDone = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (optionsDone || !a.startsWith("-") || a.equals("-")) {
        command.add(a);
        continue;
      }
      String name = a;
      String inline = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        inline = a.substring(eq + 1);
      }
      switch (name) {
        case "--" -> optionsDone = true;
        case "-h", "--help" -> help = true;
        case "--signup" -> signup = true;
        case "-r", "--recursive" -> recursive = true;
        case "--to" -> {
          uploadTo = value(args, i, inline, name);
          if (inline == null) i++;
          if (uploadTo.isEmpty()) throw new UsageException("--to needs a folder");
        }
        case "--tls" -> tls = true;
        case "--cacert" -> {
          cacert = value(args, i, inline, name);
          if (inline == null) i++;
          if (cacert.isBlank()) throw new UsageException("--cacert needs a file");
          tls = true;
        }
        case "--pin" -> {
          String raw = value(args, i, inline, name);
          if (inline == null) i++;
          pin = dropbox.tls.Fingerprints.normalise(raw);
          if (pin == null) throw new UsageException("--pin must be a SHA-256 fingerprint: 64 hex digits, colons optional");
          tls = true;
        }
        case "--host" -> {
          host = value(args, i, inline, name);
          if (inline == null) i++;
          if (host.isBlank()) throw new UsageException("--host needs a host name");
        }
        case "--port" -> {
          port = number(value(args, i, inline, name), name, 1, 65535);
          if (inline == null) i++;
        }
        case "--user" -> {
          user = value(args, i, inline, name);
          if (inline == null) i++;
          if (user.isEmpty()) throw new UsageException("--user needs a name");
        }
        case "--timeout" -> {
          timeout = number(value(args, i, inline, name), name, 1, 86400);
          if (inline == null) i++;
        }
        case "--priority" -> {
          String p = value(args, i, inline, name);
          if (inline == null) i++;
          flag = priorityFlag("--priority=" + p);
          if (flag == null) throw new UsageException("--priority must be high, medium or low");
        }
        default -> {
          flag = priorityFlag(a);
          if (flag == null) throw new UsageException("unknown option " + a);
        }
      }
    }
    if (user == null) {
      String u = env.get("DROPBOX_USER");
      if (u != null && !u.isEmpty()) user = u;
    }
    if (cacert != null && pin != null) throw new UsageException("give --cacert or --pin, not both");
    if (port < 0) port = tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
    String word = command.isEmpty() ? "" : command.get(0).toLowerCase(Locale.ROOT);
    if (uploadTo != null && !word.equals("upload")) throw new UsageException("--to is for upload");
    if (recursive && !word.equals("upload") && !word.equals("download")) {
      throw new UsageException("--recursive is for upload and download");
    }
    return new ClientOptions(host, port, user, signup, flag, timeout, help, List.copyOf(command), tls, cacert, pin,
        uploadTo, recursive);
  }

  /**
   * The wire form of a priority flag ("--high", "--medium", "--low", "--priority=high|medium|low", any case),
   * or null when the word is not one: the server would silently treat a typo as medium.
   */
  public static String priorityFlag(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return switch (w) {
      case "--high", "--medium", "--low" -> w;
      case "--priority=high", "--priority=medium", "--priority=low" -> "--" + w.substring("--priority=".length());
      default -> null;
    };
  }

  private static String value(List<String> args, int i, String inline, String name) throws UsageException {
    if (inline != null) return inline;
    if (i + 1 >= args.size()) throw new UsageException(name + " needs a value");
    return args.get(i + 1);
  }

  private static int number(String s, String name, int min, int max) throws UsageException {
    try {
      int v = Integer.parseInt(s);
      if (v < min || v > max) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a number from " + min + " to " + max);
    }
  }
}
