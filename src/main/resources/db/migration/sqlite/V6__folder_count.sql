-- Folders per user, counted like files (quota.maxFolders): an empty folder costs no bytes, so without a
-- bound a user with any quota could make folders (rows in this database) until the disk was full. The
-- root folder (parent_id NULL) is every user's and is not counted.
ALTER TABLE users ADD COLUMN folder_count BIGINT NOT NULL DEFAULT 0 CHECK (folder_count >= 0);
UPDATE users SET folder_count = (SELECT COUNT(*) FROM nodes
  WHERE nodes.user_id = users.id AND nodes.kind = 0 AND nodes.parent_id IS NOT NULL);
