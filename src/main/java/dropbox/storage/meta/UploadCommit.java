package dropbox.storage.meta;

/**
 * The outcome of a committed upload: the file as it is now, the file it replaced (null when the path was
 * new), and whether the commit created the user's blob row for this content (false: deduplicated, the
 * blob already existed and only its reference count grew).
 */
public record UploadCommit(Node file, Node replaced, boolean blobCreated) {
  public boolean created() { return replaced == null; }
}
