package dropbox.storage.blob;

import java.util.regex.Pattern;

/**
 * One upload in progress: whose, which node serves it, and its id. The owner node is part of the staging
 * file's name, so a node that starts while others run (recovery with company) can tell a live upload of
 * a running node from a leftover of a dead one without asking anybody. Node and upload ids are ours
 * (UUIDs or similar), but they travel over the bus, so they are checked before they become a file name.
 */
public record StagingId(String user, String ownerNode, String uploadId) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  /** Between owner and upload id in the file name; neither id may contain it. */
  static final char SEPARATOR = '.';

  public StagingId {
    user = BlobKey.checkUser(user);
    if (ownerNode == null || !ID.matcher(ownerNode).matches()) throw new IllegalArgumentException("not a node id");
    if (uploadId == null || !ID.matcher(uploadId).matches()) throw new IllegalArgumentException("not an upload id");
  }

  String fileName() { return ownerNode + SEPARATOR + uploadId; }

  /** The id a staging file's name stands for, or null when the name is not one of ours. */
  static StagingId parse(String user, String fileName) {
    int dot = fileName.indexOf(SEPARATOR);
    if (dot < 0) return null;
    String owner = fileName.substring(0, dot);
    String upload = fileName.substring(dot + 1);
    if (!ID.matcher(owner).matches() || !ID.matcher(upload).matches()) return null;
    return new StagingId(user, owner, upload);
  }
}
