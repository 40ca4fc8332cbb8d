package dropbox.storage.meta;

/** fsck's view of one user: the usage row as stored beside what the tree and reservations add up to. */
public record UsageCheck(String user, UserUsage stored, UserUsage computed) {
  public boolean consistent() { return stored.equals(computed); }
}
