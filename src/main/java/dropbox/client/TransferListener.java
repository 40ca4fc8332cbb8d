package dropbox.client;

/** What a transfer reports as bytes move; NONE when nobody watches (output is not a terminal). */
public interface TransferListener {
  /** The data phase begins: total bytes are known now (a download learns them from the wire). */
  void start(long total);

  void update(long done);

  /** Called once at the end, ok or not, so a display can finish its line. */
  void finish();

  TransferListener NONE = new TransferListener() {
    @Override
    public void start(long total) {}

    @Override
    public void update(long done) {}

    @Override
    public void finish() {}
  };
}
