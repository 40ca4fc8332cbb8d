-- Small files kept in the database (storage.inlineMaxBytes): a blob row whose content is not NULL has
-- no content file. Profiled on 4 KiB operations, an upload paid a staging-file create, a content fsync,
-- a rename and a directory fsync before its metadata commit; inline, the commit's one WAL fsync (shared
-- by a group commit) makes the bytes durable together with the row that names them. A row with NULL
-- content is a blob on disk, as before; rows written before this migration all are.
ALTER TABLE blobs ADD COLUMN content BLOB;
