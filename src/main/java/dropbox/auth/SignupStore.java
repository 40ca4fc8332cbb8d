package dropbox.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Self-service accounts: salted PBKDF2 hashing and verification over a {@link SignupRepository} (files
 * on storage.engine=v1, the database on v2), so both keep exactly one hashing code. Uniqueness is the
 * repository's: its atomic insert decides. Every method here blocks: call from a worker.
 */
final class SignupStore {
  static final int PRODUCTION_ITERATIONS = 100_000;
  private static final int SALT_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pbkdf2Sha512 PBKDF2 = new Pbkdf2Sha512();

  /** Thrown by {@link #create} when the name is taken. */
  static final class ExistsException extends Exception {
    ExistsException() { super(null, null, false, false); }
  }

  private final SignupRepository repository;
  private final int iterations;
  /** A hash of a random password with this store's parameters: what an unknown name is checked against. */
  private volatile String dummyHash;

  /** The file-backed store of storage.engine=v1 at {@code dir}. */
  SignupStore(Path dir, int iterations, boolean fsync) {
    this(new JsonSignupFiles(dir, fsync), iterations);
  }

  SignupStore(SignupRepository repository, int iterations) {
    this.repository = repository;
    this.iterations = iterations;
  }

  SignupRepository repository() {
    return repository;
  }

  /** Prepares the repository and the dummy hash. */
  void initBlocking() throws IOException {
    dummyHash();
    repository.init();
  }

  /** Whether the name is taken; a damaged record takes it too (its owner is unknown, not absent). */
  boolean exists(String username) {
    try {
      return repository.find(username) != null;
    } catch (IOException e) {
      return true;
    }
  }

  /** Hashes and stores a new account; the caller has validated the name and password. */
  void create(String canonical, String password) throws ExistsException, IOException {
    // Cheap early answer that spares a slow hash; the repository's atomic insert is what decides.
    // A damaged record still holds the name: let the insert say so rather than fail here.
    SignupRepository.Signup taken;
    try {
      taken = repository.find(canonical);
    } catch (IOException e) {
      taken = null;
    }
    if (taken != null) throw new ExistsException();
    if (!repository.insert(new SignupRepository.Signup(canonical, hash(password), System.currentTimeMillis()))) {
      throw new ExistsException();
    }
  }

  /**
   * Checks a password. Returns the canonical name, or null for an unknown name or a wrong password.
   * An unknown name costs one hash check like a known one, so timing does not tell which names exist.
   * A damaged account is an IOException (a server fault, not the user's).
   */
  String verify(String username, String password) throws IOException {
    SignupRepository.Signup account = repository.find(username);
    if (account == null) {
      dummyCheck(password);
      return null;
    }
    boolean ok;
    try {
      ok = PBKDF2.verify(account.hash(), password);
    } catch (RuntimeException e) {
      throw new IOException("unreadable hash of account '" + account.name() + "' in " + repository.describe()
          + ": " + e.getMessage());
    }
    return ok ? account.name() : null;
  }

  /**
   * The cost of a password check without an account: one PBKDF2 verification with the same
   * parameters as a real account (iterations, salt and key length), its answer thrown away.
   */
  void dummyCheck(String password) {
    PBKDF2.verify(dummyHash(), password == null ? "" : password);
  }

  private String dummyHash() {
    String h = dummyHash;
    if (h == null) {
      byte[] random = new byte[16];
      RANDOM.nextBytes(random);
      h = hash(HexFormat.of().formatHex(random));
      dummyHash = h;
    }
    return h;
  }

  private String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return PBKDF2.hashText(iterations, salt, password);
  }
}
