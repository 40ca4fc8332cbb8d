package dropbox.tcp;

import dropbox.auth.AuthException;
import dropbox.auth.AuthService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The accounts the TCP tests run against. Stand-in until the real auth.Accounts lands on main: same
 * contract (canonical names, case-insensitive uniqueness, failures counted per (name, address), delay
 * min(2^(k-5), 30) s), kept deliberately small.
 */
final class TestAccounts implements AuthService {
  private final Map<String, String[]> users = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  static AuthService create(Vertx vertx, JsonObject config) {
    return new TestAccounts();
  }

  private static String key(String user, String addr) {
    return user.toLowerCase(Locale.ROOT) + "|" + addr;
  }

  @Override
  public Future<Long> throttleDelayMillis(String username, String clientAddress) {
    int k = failures.getOrDefault(key(username, clientAddress), 0);
    return Future.succeededFuture(k < 5 ? 0L : Math.min(1000L << Math.min(k - 5, 5), 30_000L));
  }

  @Override
  public Future<String> login(String username, String password, String clientAddress) {
    String[] u = users.get(username.toLowerCase(Locale.ROOT));
    if (u != null && u[1].equals(password)) {
      failures.remove(key(username, clientAddress));
      return Future.succeededFuture(u[0]);
    }
    return fail(username, clientAddress, AuthException.Reason.INVALID_CREDENTIALS, "Invalid username or password");
  }

  @Override
  public Future<String> signup(String username, String password, String clientAddress) {
    if (!username.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      return fail(username, clientAddress, AuthException.Reason.INVALID_USERNAME, "Invalid username");
    }
    if (password.length() < 4) {
      return fail(username, clientAddress, AuthException.Reason.INVALID_PASSWORD, "Password too short");
    }
    if (users.putIfAbsent(username.toLowerCase(Locale.ROOT), new String[] {username, password}) != null) {
      return fail(username, clientAddress, AuthException.Reason.EXISTS, "Username already exists");
    }
    return Future.succeededFuture(username);
  }

  @Override
  public Future<Void> recordFailure(String username, String clientAddress) {
    failures.merge(key(username, clientAddress), 1, Integer::sum);
    return Future.succeededFuture();
  }

  private <T> Future<T> fail(String user, String addr, AuthException.Reason r, String msg) {
    return recordFailure(user, addr).compose(v -> Future.failedFuture(new AuthException(r, msg)));
  }
}
