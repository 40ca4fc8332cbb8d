package dropbox.storage.meta;

import dropbox.bus.FileInfo;
import java.util.Iterator;

/**
 * Every file of a user's tree, name = full path, in UTF-8 byte order of the path, read from one database
 * snapshot a page at a time (memory is bounded by depth x page size, not by the number of files). Holds a
 * database connection until closed: always use try-with-resources. usage() is from the same snapshot.
 */
public interface FileStream extends Iterator<FileInfo>, AutoCloseable {
  UserUsage usage();

  @Override void close();
}
