package dropbox.client;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back the table of a {@code LIST <folder>} reply (tcp-protocol.md "Paths and folders"): after the
 * header and the dashes, one line per child, sub-folders as {@code name/} with {@code -} for the size, then
 * the usage line. The name is everything before the last two columns (names may hold spaces and are never
 * cut), so only a name's trailing spaces are lost: the server strips them from every line with the padding.
 */
final class FolderEntries {
  /** One child: its name (without the folder's trailing '/') and whether it is a folder. */
  record Entry(String name, boolean folder) {}

  private static final Pattern ROW = Pattern.compile("(.+?) +(-|\\d+) +(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})");

  private FolderEntries() {}

  static List<Entry> parse(String listing) throws ClientException {
    List<Entry> out = new ArrayList<>();
    boolean rows = false;
    for (String line : listing.split("\n", -1)) {
      if (!rows) {
        rows = line.startsWith("--------");
        continue;
      }
      if (line.startsWith("Usage: ") || line.equals("No files found.")) break;
      Matcher m = ROW.matcher(line);
      if (!m.matches()) throw new ClientException("unexpected line in the folder listing: " + line);
      String name = m.group(1);
      boolean folder = m.group(2).equals("-") && name.endsWith("/");
      out.add(new Entry(folder ? name.substring(0, name.length() - 1) : name, folder));
    }
    return out;
  }
}
