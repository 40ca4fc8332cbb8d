package dropbox.dav;

import java.util.ArrayList;
import java.util.List;

/**
 * The If: request header (RFC 4918 10.4): lists of conditions, each list untagged (about the request URI)
 * or tagged with a resource; a condition is a state token (a lock token) or an entity tag, possibly
 * negated with Not. The header holds when any one list holds completely.
 */
record IfHeader(List<Clause> lists) {
  /** One condition: exactly one of token and etag is set. */
  record Condition(boolean not, String token, String etag) {}

  /** One parenthesised list; resource is the tagged URL's tree path, or null for the request URI. */
  record Clause(String resource, List<Condition> conditions) {}

  static final class Malformed extends Exception {
    Malformed() { super("Malformed If header", null, false, false); }
  }

  /** Null when there is no header. A tag that is not a /dav/ URL of ours makes its lists never hold. */
  static IfHeader parse(String header) throws Malformed {
    if (header == null) return null;
    List<Clause> lists = new ArrayList<>();
    String s = header;
    int i = 0;
    String tag = null;
    boolean tagged = false;
    boolean any = false;
    while (true) {
      i = skip(s, i);
      if (i >= s.length()) break;
      char c = s.charAt(i);
      if (c == '<') {
        int end = s.indexOf('>', i);
        if (end < 0) throw new Malformed();
        String url = s.substring(i + 1, end);
        String p = DavPath.fromDestination(url);
        tag = p == null ? "\u0000not-ours" : p;
        tagged = true;
        i = end + 1;
        continue;
      }
      if (c != '(') throw new Malformed();
      i++;
      List<Condition> conds = new ArrayList<>();
      while (true) {
        i = skip(s, i);
        if (i >= s.length()) throw new Malformed();
        boolean not = false;
        if (s.regionMatches(true, i, "Not", 0, 3)) {
          not = true;
          i = skip(s, i + 3);
        }
        if (i >= s.length()) throw new Malformed();
        char d = s.charAt(i);
        if (d == '<') {
          int end = s.indexOf('>', i);
          if (end < 0) throw new Malformed();
          conds.add(new Condition(not, s.substring(i + 1, end).trim(), null));
          i = end + 1;
        } else if (d == '[') {
          int end = s.indexOf(']', i);
          if (end < 0) throw new Malformed();
          conds.add(new Condition(not, null, s.substring(i + 1, end).trim()));
          i = end + 1;
        } else if (d == ')' && !not && !conds.isEmpty()) {
          i++;
          break;
        } else {
          throw new Malformed();
        }
      }
      lists.add(new Clause(tagged ? tag : null, conds));
      any = true;
    }
    if (!any) throw new Malformed();
    return new IfHeader(lists);
  }

  private static int skip(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
    return i;
  }

  /** Every state token named anywhere (not negated): what the request submits. */
  List<String> tokens() {
    List<String> out = new ArrayList<>();
    for (Clause c : lists) for (Condition d : c.conditions()) if (d.token() != null && !d.not()) out.add(d.token());
    return out;
  }

  /** The resources the lists are about (null = the request URI). */
  List<String> resources() {
    List<String> out = new ArrayList<>();
    for (Clause c : lists) if (!out.contains(c.resource())) out.add(c.resource());
    return out;
  }
}
