package dropbox.storage.meta;

/**
 * A file as a download needs it: its row, and its bytes when its blob is inline (null when the content is
 * a file of the BlobStore). Read in one snapshot, so the bytes are the ones the row names.
 */
public record StoredFile(Node node, byte[] inline) {}
