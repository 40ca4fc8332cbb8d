package dropbox.storage.meta;

/** A self-service account: canonical name as signed up, its PBKDF2 hash string, creation time (epoch ms). */
public record Account(String name, String hash, long created) {}
