package dropbox.storage;

/** The housekeeping of an engine, run by StorageVerticle on the storage workers. */
interface StorageUpkeep {

  /** Before the first command: repairs what a previous process (or a dead node) left behind. */
  void recover() throws Exception;

  /** Every minute and after a cluster member left: reaps dead uploads, sweeps content past its grace period. */
  void maintain() throws Exception;
}
