package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The sign-up contract on account files (storage.engine=v1). */
class JsonSignupFilesTest extends SignupRepositoryContract {
  @Override protected SignupRepository openRepository() {
    return new JsonSignupFiles(accounts(), true);
  }

  @Override protected SignupRepository forAccounts() {
    return null; // Accounts keeps its account files itself
  }

  /** The losers' temp files are gone: only the winner's account file is left. */
  @Override protected void afterRace() throws Exception {
    try (Stream<Path> s = Files.list(accounts())) {
      assertEquals(List.of(accounts().resolve("racer.json")), s.toList(), "no temp files left behind");
    }
  }

  private Path accounts() {
    return root().resolve("accounts");
  }
}
