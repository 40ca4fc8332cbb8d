-- WebDAV dead properties (PROPPATCH), one row per property of a file or folder. Keyed by the node's id:
-- a move (one row update of nodes) keeps them, deleting the node deletes them (cascade), and a copy
-- duplicates them with the rows it creates (Subtrees.copyRows). value is an XML fragment, as set.
CREATE TABLE dav_properties (
  node_id BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  ns      TEXT NOT NULL,
  name    TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (node_id, ns, name)
);
