package dropbox.storage.meta;

/** A deleted folder with what went with it: the number of files and their logical bytes. */
public record RemovedTree(Node folder, long files, long bytes) {}
