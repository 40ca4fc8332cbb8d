package dropbox.storage.meta;

/**
 * fsck's view of one blob row whose reference count is wrong: stored is the row's count, actual the
 * number of file rows that name the content. zeroSince is when the row last reached 0 (null: never, or
 * referenced); a row at 0 without it would never be swept.
 */
public record BlobCount(String sha256, long stored, long actual, Long zeroSince) {}
