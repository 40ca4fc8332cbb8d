package dropbox.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import io.vertx.ext.auth.authorization.AuthorizationProvider;
import io.vertx.ext.auth.authorization.RoleBasedAuthorization;
import io.vertx.ext.auth.properties.PropertyFileAuthentication;
import io.vertx.ext.auth.properties.PropertyFileAuthorization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator accounts from a Shiro-style users.properties, checked by vertx-auth-properties. That
 * provider matches names exactly, so the names are parsed here too (with the same line rules) to map
 * the case-folded name to the spelling in the file.
 */
final class ProvisionedAccounts {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionedAccounts.class);

  private final AuthenticationProvider authn;
  private final AuthorizationProvider authz;
  /** lowercase -> canonical. */
  private final Map<String, String> names;

  private ProvisionedAccounts(AuthenticationProvider authn, AuthorizationProvider authz, Map<String, String> names) {
    this.authn = authn;
    this.authz = authz;
    this.names = names;
  }

  static ProvisionedAccounts none() {
    return new ProvisionedAccounts(null, null, Map.of());
  }

  /** Blocking: reads the file (the vertx-auth-properties constructors read it too). Missing file = no accounts. */
  static ProvisionedAccounts loadBlocking(Vertx vertx, Path file) throws IOException {
    if (!Files.exists(file)) {
      LOG.info("no users file at {}: no provisioned accounts", file.toAbsolutePath());
      return none();
    }
    warnIfShared(file);
    String content = Files.readString(file, StandardCharsets.UTF_8);
    Map<String, String> names = parseNames(content, file);
    String path = file.toAbsolutePath().toString();
    PropertyFileAuthentication authn = PropertyFileAuthentication.create(vertx, path);
    // The implementation class is both; only read the file a third time if that ever changes.
    AuthorizationProvider authz = authn instanceof PropertyFileAuthorization pfa
        ? pfa : PropertyFileAuthorization.create(vertx, path);
    LOG.info("loaded {} provisioned account(s) from {}", names.size(), path);
    return new ProvisionedAccounts(authn, authz, Collections.unmodifiableMap(names));
  }

  /** Same line rules as PropertyFileAuthenticationImpl: "user.<name>=<password>,<role>...", split on '\n'. */
  static Map<String, String> parseNames(String content, Path file) {
    Map<String, String> names = new LinkedHashMap<>();
    for (String line : content.split("\n")) {
      if (!line.startsWith("user.")) continue;
      String rest = line.substring(5);
      int eq = rest.indexOf('=');
      String name = eq > 0 ? rest.substring(0, eq).trim() : "";
      if (name.isEmpty()) continue;
      if (!Usernames.isValid(name)) {
        LOG.warn("{}: user name '{}' breaks the user-name rules and cannot log in", file, name);
        continue;
      }
      String prev = names.putIfAbsent(Usernames.key(name), name);
      if (prev != null && !prev.equals(name)) {
        LOG.warn("{}: user '{}' differs from '{}' only in case; only '{}' can log in", file, name, prev, prev);
      }
    }
    return names;
  }

  /** git cannot keep mode 0600, so a shared file is accepted, but the operator should know. */
  private static void warnIfShared(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn("users file {} is readable by group or others (it holds plaintext passwords); consider chmod 600",
            file.toAbsolutePath());
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system: nothing meaningful to check.
    }
  }

  /** The canonical spelling of a provisioned name, or null. */
  String canonical(String username) {
    return names.get(Usernames.key(username));
  }

  Set<String> lowercaseNames() {
    return names.keySet();
  }

  /** Succeeds with the canonical name, or with null when the password is wrong. */
  Future<String> authenticate(String canonical, String password) {
    return authn.authenticate(new UsernamePasswordCredentials(canonical, password))
        .map(user -> canonical)
        .otherwise(err -> null);
  }

  /** Role names from the file; loaded for a later admin API, no effect in v1. */
  Future<Set<String>> roles(String canonical) {
    if (authz == null || canonical == null) return Future.succeededFuture(Set.of());
    User user = User.fromName(canonical);
    return authz.getAuthorizations(user).map(v -> {
      Set<String> roles = new TreeSet<>();
      user.authorizations().forEach(authz.getId(), a -> {
        if (a instanceof RoleBasedAuthorization r) roles.add(r.getRole());
      });
      return roles;
    }).otherwise(err -> Set.of());
  }
}
