package dropbox.storage;

import dropbox.auth.AuthException;
import dropbox.auth.SignupRepository;
import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import dropbox.storage.meta.Account;
import dropbox.storage.meta.MetadataStore;

/**
 * Sign-ups in the v2 database, for auth/ (which must not know storage/): each insert is one transaction
 * on the accounts table, whose primary key is the lower-cased name, so of two nodes racing on one name
 * exactly one commits. It uses the storage engine's own {@link MetadataStore} (one pool per node); the
 * engine owns and closes it.
 */
public final class MetadataSignups implements SignupRepository {
  private final MetadataStore meta;
  private final String where;

  public MetadataSignups(MetadataStore meta, String where) {
    this.meta = meta;
    this.where = where;
  }

  @Override public boolean insert(Signup s) {
    try {
      return meta.createAccount(s.name(), s.hash(), s.createdMillis());
    } catch (StorageException e) {
      throw busyOr(e);
    }
  }

  @Override public Signup find(String name) {
    try {
      return meta.findAccount(name).map(MetadataSignups::signup).orElse(null);
    } catch (StorageException e) {
      throw busyOr(e);
    }
  }

  /**
   * The database out of reach (no connection within the pool's timeout) is "busy, try again", as for any
   * other command: a LOGIN during a database outage was answered "Internal error" with a stack trace
   * logged per attempt. Anything else stays a server fault.
   */
  private static RuntimeException busyOr(StorageException e) {
    if (e.code() != ErrorCode.BUSY) return e;
    return new AuthException(AuthException.Reason.BUSY, "Server busy, try again later");
  }

  @Override public String describe() {
    return where;
  }

  private static Signup signup(Account a) {
    return new Signup(a.name(), a.hash(), a.created());
  }
}
