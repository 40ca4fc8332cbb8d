package dropbox.auth;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the sign-ups of storage.engine=v1 (account files) into the database once, at the first start on v2.
 * Each account is its own step, so a crash anywhere resumes where it stopped: the file is removed only
 * after its insert committed, and a file whose name is already in the database (imported before the
 * crash, or signed up there meanwhile) never replaces that account. Blocks: run on a worker.
 */
final class SignupImport {
  record Report(int imported, int alreadyThere, int conflicting, int damaged) {}

  private static final Logger LOG = LoggerFactory.getLogger(SignupImport.class);

  private SignupImport() {}

  static Report run(JsonSignupFiles from, SignupRepository to) throws IOException {
    int imported = 0;
    int alreadyThere = 0;
    int conflicting = 0;
    int damaged = 0;
    if (java.nio.file.Files.isDirectory(from.dir())) from.init(); // temp files of crashed v1 sign-ups go too
    for (Path file : from.files()) {
      SignupRepository.Signup s;
      try {
        s = from.read(file);
      } catch (IOException e) {
        // Left in place for the operator: it was not a working account on v1 either.
        LOG.warn("accounts import: skipped {}", e.getMessage());
        damaged++;
        continue;
      }
      if (s == null) continue; // removed meanwhile
      if (to.insert(s)) {
        imported++;
      } else {
        SignupRepository.Signup there = to.find(s.name());
        if (there != null && there.hash().equals(s.hash())) {
          alreadyThere++; // imported before a crash: only the removal was missing
        } else {
          // The database's account wins; the file is kept so that nothing is lost without a word.
          LOG.warn("accounts import: '{}' is already in {} with another password; kept that one, left {}",
              s.name(), to.describe(), file);
          conflicting++;
          continue;
        }
      }
      from.remove(file);
    }
    Report r = new Report(imported, alreadyThere, conflicting, damaged);
    if (imported + alreadyThere + conflicting + damaged > 0) {
      LOG.info("accounts import from {} into {}: {} imported, {} already there, {} kept apart, {} damaged",
          from.describe(), to.describe(), imported, alreadyThere, conflicting, damaged);
    }
    return r;
  }
}
