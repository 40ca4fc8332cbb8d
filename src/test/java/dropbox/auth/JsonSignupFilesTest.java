package dropbox.auth;

/** The sign-up contract on account files (storage.engine=v1). */
class JsonSignupFilesTest extends SignupRepositoryContract {
  @Override protected SignupRepository openRepository() {
    return new JsonSignupFiles(root().resolve("accounts"), true);
  }

  @Override protected SignupRepository forAccounts() {
    return null; // Accounts keeps its account files itself
  }
}
