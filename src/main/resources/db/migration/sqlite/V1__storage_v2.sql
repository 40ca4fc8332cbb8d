-- Storage v2 schema for SQLite. Text columns compare with SQLite's default BINARY collation, which on
-- UTF-8 text is the unsigned byte order the protocols sort by. Keep in step with ../postgresql/V1.

-- Self-service sign-ups. name_key is the lower-cased name: one account per name, ignoring case.
CREATE TABLE accounts (
  name_key TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  hash     TEXT NOT NULL,
  created  BIGINT NOT NULL
);

-- One row per storage user (sign-up or provisioned): the quota ledger. Changed only by conditional
-- UPDATEs; the CHECKs are the last line if arithmetic ever went wrong.
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  name_key       TEXT NOT NULL UNIQUE,
  used_bytes     BIGINT NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
  reserved_bytes BIGINT NOT NULL DEFAULT 0 CHECK (reserved_bytes >= 0),
  file_count     BIGINT NOT NULL DEFAULT 0 CHECK (file_count >= 0),
  quota_bytes    BIGINT NOT NULL,
  created        BIGINT NOT NULL
);

CREATE TABLE reservations (
  id         TEXT PRIMARY KEY,
  user_id    BIGINT NOT NULL REFERENCES users (id),
  bytes      BIGINT NOT NULL CHECK (bytes >= 0),
  owner_node TEXT NOT NULL,
  deadline   BIGINT NOT NULL
);
CREATE INDEX reservations_owner ON reservations (owner_node);
CREATE INDEX reservations_deadline ON reservations (deadline);

-- Content-addressed blobs per user. zero_since: when refcount last reached 0 (the grace period runs from it).
CREATE TABLE blobs (
  user_id    BIGINT NOT NULL REFERENCES users (id),
  sha256     TEXT NOT NULL,
  size       BIGINT NOT NULL,
  refcount   BIGINT NOT NULL CHECK (refcount >= 0),
  zero_since BIGINT,
  PRIMARY KEY (user_id, sha256)
);
CREATE INDEX blobs_unreferenced ON blobs (zero_since) WHERE refcount = 0;

-- The tree: a row per file (kind 1) or folder (kind 0). The root folder of a user has parent_id NULL and
-- name ''. walk_key = name, plus '/' for a folder: ordering siblings by it makes a depth-first walk come
-- out in byte order of the full paths.
CREATE TABLE nodes (
  id        INTEGER PRIMARY KEY,
  user_id   BIGINT NOT NULL REFERENCES users (id),
  parent_id BIGINT REFERENCES nodes (id),
  name      TEXT NOT NULL,
  walk_key  TEXT NOT NULL,
  kind      SMALLINT NOT NULL CHECK (kind IN (0, 1)),
  size      BIGINT NOT NULL DEFAULT 0 CHECK (size >= 0),
  sha256    TEXT,
  created   BIGINT NOT NULL,
  modified  BIGINT NOT NULL,
  FOREIGN KEY (user_id, sha256) REFERENCES blobs (user_id, sha256),
  CHECK ((kind = 0 AND sha256 IS NULL AND size = 0) OR (kind = 1 AND sha256 IS NOT NULL))
);
-- A name once per folder, whatever its kind: this is what refuses a file and a folder on one path. A
-- folder belongs to one user, so (parent, name) is unique per user too, and it orders a folder by name.
CREATE UNIQUE INDEX nodes_name ON nodes (parent_id, name);
CREATE UNIQUE INDEX nodes_root ON nodes (user_id) WHERE parent_id IS NULL;
-- Paged listings (folders first, then by name / size / modified, name breaking ties) and the tree walk.
CREATE INDEX nodes_by_name ON nodes (parent_id, kind, name);
CREATE INDEX nodes_by_size ON nodes (parent_id, kind, size, name);
CREATE INDEX nodes_by_modified ON nodes (parent_id, kind, modified, name);
CREATE INDEX nodes_walk ON nodes (parent_id, walk_key);
CREATE INDEX nodes_blob ON nodes (user_id, sha256);
