-- Each clustered node's last sign of life, written every few seconds. A reservation or staging file is
-- taken for dead only when its owner is neither a member of this node's cluster nor seen here lately:
-- a node started with the wrong member list, or one side of a network split, sees the other nodes
-- missing from its membership, and it released their live uploads (every user's, on every node).
CREATE TABLE node_heartbeats (
  node_id TEXT PRIMARY KEY,
  seen_at BIGINT NOT NULL
);
