package dropbox.storage.blob;

/**
 * The outcome of publishing a staging file: the blob it is now (durable: content and directory entry
 * fsynced), and whether this publish placed the content file (false: the user already had those bytes
 * and the staging file was dropped).
 */
public record Published(BlobKey blob, long size, boolean placed) {}
