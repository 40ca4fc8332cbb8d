package dropbox.auth;

import java.io.IOException;

/**
 * Where sign-ups are kept: records of (canonical name, PBKDF2 hash string, creation time), unique by the
 * name ignoring case. Storage-agnostic, so that auth/ never depends on storage/: {@link JsonSignupFiles}
 * (one file per account, storage.engine=v1) and a database-backed adapter that the storage engine
 * provides (storage.engine=v2). Hashing and verification stay in {@link SignupStore}, one code for both.
 * Every method blocks: call from a worker.
 */
public interface SignupRepository {
  /** One account as stored. */
  record Signup(String name, String hash, long createdMillis) {}

  /** Prepares the store (directories, leftovers of crashed sign-ups). */
  default void init() throws IOException {}

  /**
   * Stores a new account atomically; false when the name (ignoring case) is already taken. When two
   * nodes race on one name exactly one gets true. Returning true means the account is durable.
   */
  boolean insert(Signup signup) throws IOException;

  /** The account of this name ignoring case, or null. A damaged record is an IOException (a server fault). */
  Signup find(String name) throws IOException;

  /** Where the accounts live, for the operator's log. */
  String describe();
}
