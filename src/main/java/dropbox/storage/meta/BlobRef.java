package dropbox.storage.meta;

/** A blob in the database: whose, which content, how big. */
public record BlobRef(String user, String sha256, long size) {}
