package dropbox.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The "dropbox> " shell over one authenticated connection. Lines use the protocol's own quoting, so
 * UPLOAD "my notes.txt" works; an unquoted last word like --high is the priority flag passed to the server.
 * The exit code is 0 only if every command succeeded, so a piped script can tell that something failed.
 */
final class InteractiveShell {
  static final String PROMPT = "dropbox> ";

  static final String HELP = String.join("\n",
      "Commands (names with spaces in double quotes; \\\" and \\\\ escape inside quotes):",
      "  UPLOAD <local path>... [--to <folder>] [-r]",
      "                                upload files (remote name = the file's base name), into",
      "                                <folder> with --to; -r: directories with their trees too",
      "  DOWNLOAD <path> [local path]  download to the path, into a directory, or to ./<last part>;",
      "                                -r: <path> is a folder, fetched with its tree",
      "  DELETE <path>                 delete a file",
      "  LIST [<folder>]               list all your files, or one folder (sub-folders end in /)",
      "  MKDIR <folder>                create a folder (and its parents)",
      "  RMDIR <folder>                remove a folder and everything in it",
      "  MOVE <from> <to>              rename or move a file or folder (<to> must not exist)",
      "  COPY <from> <to>              copy a file or folder (counts against the quota)",
      "  QUOTA                         show used and total bytes",
      "  HELP                          this text",
      "  QUIT                          leave (also EXIT or end of input)",
      "Any command may end with --high, --medium, --low or --priority=high|medium|low.");

  private final ProtocolConnection conn;
  private final Actions actions;
  private final BufferedReader in;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private boolean failed;

  InteractiveShell(ProtocolConnection conn, BufferedReader in, PrintStream out, PrintStream err, boolean terminal) {
    this.conn = conn;
    this.actions = new Actions(conn, out, terminal);
    this.in = in;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  int run() {
    if (terminal) out.println("Connected. Type HELP for commands.");
    while (true) {
      if (terminal) {
        out.print(PROMPT);
        out.flush();
      }
      String line;
      try {
        line = in.readLine();
      } catch (IOException e) {
        line = null;
      }
      if (line == null) {
        if (terminal) out.println();
        conn.quit();
        return failed ? 1 : 0;
      }
      try {
        if (!execute(line)) {
          conn.quit();
          return failed ? 1 : 0;
        }
      } catch (ClientException e) {
        failed = true;
        err.println("error: " + e.getMessage());
        if (e.connectionLost() || conn.isLost()) {
          err.println("error: connection closed; leaving");
          conn.close();
          return 1;
        }
      }
    }
  }

  /** Runs one line; false means the user asked to leave. */
  boolean execute(String line) throws ClientException {
    List<Quoting.Token> tokens;
    try {
      tokens = new ArrayList<>(Quoting.tokenize(line));
    } catch (IllegalArgumentException e) {
      throw new ClientException(e.getMessage());
    }
    if (tokens.isEmpty()) return true;
    String word = tokens.remove(0).text().toUpperCase(Locale.ROOT);
    String folder = null;
    boolean recursive = false;
    if (word.equals("UPLOAD") || word.equals("DOWNLOAD")) {
      // Unquoted --to FOLDER (UPLOAD) and -r/--recursive are options wherever they stand ("..." is a name).
      for (int i = 0; i < tokens.size(); ) {
        Quoting.Token t = tokens.get(i);
        if (!t.quoted() && t.text().equals("--to") && word.equals("UPLOAD")) {
          need(i + 1 < tokens.size(), "UPLOAD <local path>... --to <folder>");
          folder = tokens.get(i + 1).text();
          tokens.subList(i, i + 2).clear();
        } else if (!t.quoted() && (t.text().equals("-r") || t.text().equals("--recursive"))) {
          recursive = true;
          tokens.remove(i);
        } else {
          i++;
        }
      }
    }
    String flag = null;
    if (!tokens.isEmpty()) {
      Quoting.Token last = tokens.get(tokens.size() - 1);
      if (!last.quoted() && last.text().startsWith("--")) {
        flag = ClientOptions.priorityFlag(last.text());
        if (flag == null) throw new ClientException("unknown flag " + last.text() + " (--high, --medium, --low)");
        tokens.remove(tokens.size() - 1);
      }
    }
    List<String> args = tokens.stream().map(Quoting.Token::text).toList();
    switch (word) {
      case "UPLOAD" -> {
        need(args.size() >= 1, "UPLOAD <local path>... [--to <folder>] [-r]");
        List<Path> files = new ArrayList<>();
        for (String a : args) files.add(Actions.uploadable(a, recursive));
        boolean all = true;
        for (Path f : files) {
          if (Files.isDirectory(f)) {
            all &= actions.uploadTree(f, folder, flag, err);
          } else {
            actions.upload(f, folder, flag);
          }
        }
        if (!all) failed = true; // what was skipped or refused is on err already
      }
      case "DOWNLOAD" -> {
        need(args.size() == 1 || args.size() == 2, "DOWNLOAD <path> [local path] [-r]");
        String local = args.size() == 2 ? args.get(1) : null;
        if (!recursive) {
          actions.download(args.get(0), local, flag);
        } else if (!actions.downloadTree(args.get(0), local, flag, err)) {
          failed = true; // what was skipped is on err already
        }
      }
      case "DELETE" -> {
        need(args.size() == 1, "DELETE <name>");
        actions.delete(args.get(0), flag);
      }
      case "LIST" -> {
        need(args.size() <= 1, "LIST [<folder>]");
        actions.list(args.isEmpty() ? null : args.get(0), flag);
      }
      case "MKDIR" -> {
        need(args.size() == 1, "MKDIR <folder>");
        actions.mkdir(args.get(0), flag);
      }
      case "RMDIR" -> {
        need(args.size() == 1, "RMDIR <folder>");
        actions.rmdir(args.get(0), flag);
      }
      case "MOVE" -> {
        need(args.size() == 2, "MOVE <from> <to>");
        actions.move(args.get(0), args.get(1), flag);
      }
      case "COPY" -> {
        need(args.size() == 2, "COPY <from> <to>");
        actions.copy(args.get(0), args.get(1), flag);
      }
      case "QUOTA" -> {
        need(args.isEmpty(), "QUOTA");
        actions.quota(flag);
      }
      case "HELP", "?" -> out.println(HELP);
      case "QUIT", "EXIT" -> {
        return false;
      }
      default -> throw new ClientException("unknown command " + word + " (type HELP)");
    }
    return true;
  }

  private static void need(boolean ok, String usage) throws ClientException {
    if (!ok) throw new ClientException("usage: " + usage + " (quote names with spaces)");
  }
}
