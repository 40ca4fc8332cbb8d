package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The fields of a storage command, checked before any use: a missing or mistyped field, a user that cannot
 * name a directory or an upload id that is not one of ours is the sender's BAD_REQUEST. Everything the
 * worker throws after these checks is a server fault (INTERNAL), never blamed on the sender.
 */
final class CommandFields {
  private final JsonObject body;

  CommandFields(JsonObject body) {
    if (body == null) throw bad("Missing command body");
    this.body = body;
  }

  String user() {
    String user = text("user");
    if (!StorageLayout.isUserName(user)) throw bad("Malformed user");
    return user;
  }

  /** The name's own rules are the service's (INVALID_NAME); here it only has to be a string. */
  String name() { return text("name"); }

  String uploadId() {
    String id = text("uploadId");
    if (!StorageLayout.isId(id)) throw bad("Malformed uploadId");
    return id;
  }

  /** A string field that may be absent (null then). */
  String optionalText(String key) {
    Object v = body.getValue(key);
    if (v != null && !(v instanceof String)) throw bad("Malformed " + key);
    return (String) v;
  }

  /** A boolean that may be absent (false then). */
  boolean flag(String key) {
    Object v = body.getValue(key);
    if (v != null && !(v instanceof Boolean)) throw bad("Malformed " + key);
    return Boolean.TRUE.equals(v);
  }

  String text(String key) {
    if (!(body.getValue(key) instanceof String s)) throw bad("Missing or malformed " + key);
    return s;
  }

  /** Bytes (a Buffer locally, base64 text over a cluster's wire). */
  byte[] bytes(String key) {
    Object v = body.getValue(key);
    if (v instanceof Buffer b) return b.getBytes();
    if (v instanceof String) {
      try {
        return body.getBinary(key);
      } catch (IllegalArgumentException notBase64) {
        throw bad("Malformed " + key);
      }
    }
    throw bad("Missing or malformed " + key);
  }

  /** An integral number; absent = def (pass null to make it required). */
  long number(String key, Long def) {
    Object v = body.getValue(key);
    if (v == null && def != null) return def;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    throw bad("Missing or malformed " + key);
  }

  Preconditions preconditions() {
    Object v = body.getValue("preconditions");
    if (v == null) return Preconditions.NONE;
    if (!(v instanceof JsonObject j)) throw bad("Malformed preconditions");
    Object any = j.getValue("ifNoneMatchAny");
    Object exists = j.getValue("ifMatchAny");
    Object sha = j.getValue("ifMatchSha256");
    if ((any != null && !(any instanceof Boolean)) || (exists != null && !(exists instanceof Boolean))
        || (sha != null && !(sha instanceof String))) {
      throw bad("Malformed preconditions");
    }
    return new Preconditions(Boolean.TRUE.equals(any), Boolean.TRUE.equals(exists), (String) sha);
  }

  /** A list of WebDAV dead properties (absent: none). */
  java.util.List<dropbox.bus.DeadProperty> properties(String key) {
    Object v = body.getValue(key);
    if (v == null) return java.util.List.of();
    if (!(v instanceof io.vertx.core.json.JsonArray a)) throw bad("Malformed " + key);
    try {
      java.util.List<dropbox.bus.DeadProperty> out = dropbox.bus.DeadProperty.fromJson(a);
      for (dropbox.bus.DeadProperty p : out) if (p.name() == null || p.ns() == null || p.value() == null) throw bad("Malformed " + key);
      return out;
    } catch (ClassCastException e) {
      throw bad("Malformed " + key);
    }
  }

  private static StorageException bad(String message) { return StorageException.of(ErrorCode.BAD_REQUEST, message); }
}
