package dropbox.storage;

/** The housekeeping of an engine, run by StorageVerticle on the storage workers. */
interface StorageUpkeep {

  /** Before the first command: repairs what a previous process (or a dead node) left behind. */
  void recover() throws Exception;

  /** Every minute and after a cluster member left: reaps dead uploads, sweeps content past its grace period. */
  void maintain() throws Exception;

  /**
   * Every few seconds: when the storage is nearly full, gives back at once what deletes freed (see
   * {@link V2Upkeep#relieve}). Nothing to do by default.
   */
  default void relieve() throws Exception {}

  /** Every few seconds when clustered: records that this node is alive, so others keep its uploads. */
  default void heartbeat() throws Exception {}
}
