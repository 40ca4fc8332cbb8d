package dropbox.tcp;

import dropbox.bus.Priority;
import java.util.Collections;
import java.util.List;

/**
 * One parsed protocol line (tcp-protocol.md "Command-line grammar").
 *
 * @param command  the command word in ASCII upper case ("" for an empty line); null if it was not valid UTF-8
 * @param args     the arguments without the priority flag; an entry is null when its bytes were not
 *                 well-formed UTF-8 (such a name is invalid, never repaired)
 * @param priority from a trailing flag, MEDIUM when there was none or it was unknown
 */
public record CommandLine(String command, List<String> args, Priority priority) {

  public CommandLine {
    args = Collections.unmodifiableList(args);
  }

  public boolean is(String word) {
    return word.equals(command);
  }

  public int argCount() {
    return args.size();
  }

  /** The i-th argument, or null if its bytes were malformed UTF-8. */
  public String arg(int i) {
    return args.get(i);
  }
}
