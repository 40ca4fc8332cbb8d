package dropbox.tcp;

import dropbox.bus.FileInfo;
import dropbox.bus.FolderEntry;
import dropbox.bus.Listing;
import dropbox.bus.Usage;
import java.time.Instant;
import java.util.List;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The LIST and QUOTA texts (tcp-protocol.md "LIST"), without the prompt. */
public final class ListingTable {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private ListingTable() {}

  /** Files come sorted by their UTF-8 bytes from storage; the order is kept as it is. */
  public static String format(String user, Listing listing) {
    StringBuilder sb = new StringBuilder();
    treeHeader(sb, user, listing.files().isEmpty());
    treeRows(sb, listing.files());
    return sb.append(usageLine(listing.usage())).toString();
  }

  /** The classic LIST's title and column heads ("No files found." when the whole listing is empty). */
  public static void treeHeader(StringBuilder sb, String user, boolean empty) {
    sb.append("=== File Listing for ").append(user).append(" ===\n\n");
    if (empty) {
      sb.append("No files found.\n");
    } else {
      row(sb, "Filename", "Size", "Modified");
      row(sb, "--------", "----", "--------");
    }
  }

  public static void treeRows(StringBuilder sb, List<FileInfo> files) {
    for (FileInfo f : files) {
      row(sb, f.name(), Long.toString(f.size()), TIME.format(Instant.ofEpochMilli(f.modified())));
    }
  }

  /**
   * LIST <folder>: its children as storage sorted them (sub-folders first, "name/" and "-" for the size,
   * then files, each group by UTF-8 bytes); the usage line is the user's whole usage.
   */
  public static String formatFolder(String user, String folder, List<FolderEntry> entries, Usage usage) {
    StringBuilder sb = new StringBuilder(folderHeader(user, folder, entries.isEmpty()));
    folderRows(sb, entries);
    return sb.append(usageLine(usage)).toString();
  }

  /** The title, then "No files found." for an empty folder or the column heads for the rows to come. */
  public static String folderHeader(String user, String folder, boolean empty) {
    StringBuilder sb = new StringBuilder();
    sb.append("=== File Listing for ").append(user).append(": ").append(folder).append(" ===\n\n");
    if (empty) {
      sb.append("No files found.\n");
    } else {
      row(sb, "Filename", "Size", "Modified");
      row(sb, "--------", "----", "--------");
    }
    return sb.toString();
  }

  /** One row per entry: a folder as "name/" with "-" for its size. */
  public static void folderRows(StringBuilder sb, List<FolderEntry> entries) {
    for (FolderEntry e : entries) {
      FileInfo f = e.info();
      row(sb, e.folder() ? f.name() + "/" : f.name(), e.folder() ? "-" : Long.toString(f.size()),
          TIME.format(Instant.ofEpochMilli(f.modified())));
    }
  }

  public static String usageLine(Usage u) {
    return "Usage: " + u.usedBytes() + " of " + u.quotaBytes() + " bytes (" + u.fileCount() + " files)\n";
  }

  /** "%-30s %-10s %-20s" counting code points (String.format counts UTF-16 units), trailing spaces removed. */
  private static void row(StringBuilder sb, String name, String size, String modified) {
    StringBuilder line = new StringBuilder();
    pad(line, name, 30).append(' ');
    pad(line, size, 10).append(' ');
    pad(line, modified, 20);
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == ' ') end--;
    sb.append(line, 0, end).append('\n');
  }

  private static StringBuilder pad(StringBuilder sb, String s, int width) {
    sb.append(s);
    for (int n = s.codePointCount(0, s.length()); n < width; n++) sb.append(' ');
    return sb;
  }
}
