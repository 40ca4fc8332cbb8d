package dropbox.storage.meta;

/**
 * Bytes held for an upload in progress. ownerNode is the node that serves it (all of a dead node's
 * reservations are released at once); deadline is when a sweep may release it even if the node lives.
 */
public record Reservation(String id, String user, long bytes, String ownerNode, long deadline) {}
