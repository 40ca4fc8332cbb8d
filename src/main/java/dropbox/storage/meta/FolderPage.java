package dropbox.storage.meta;

import java.util.List;

/**
 * One page of a folder listing, with the usage read in the same snapshot. cursor is null on the last page,
 * else the opaque token that continues after the last entry.
 */
public record FolderPage(Node folder, List<Node> entries, String cursor, UserUsage usage) {}
