package dropbox.bus;

import java.util.Locale;

/** Orders queued work between requests (never within one connection). Lower rank runs first. */
public enum Priority {
  HIGH, MEDIUM, LOW;

  /** Lenient parse: anything unknown or missing is MEDIUM, as the protocol asks. */
  public static Priority parse(String s) {
    if (s == null) return MEDIUM;
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "high": return HIGH;
      case "low": return LOW;
      default: return MEDIUM;
    }
  }

  public String wire() { return name().toLowerCase(Locale.ROOT); }
}
