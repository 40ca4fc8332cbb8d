package dropbox.client;

/**
 * A failure to show the user as one line (never a stack trace). connectionLost says the connection can no
 * longer be used (closed, desynchronised mid-transfer), so a shell must stop instead of sending more.
 */
public class ClientException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean connectionLost;

  public ClientException(String message) {
    this(message, false);
  }

  public ClientException(String message, boolean connectionLost) {
    super(message, null, false, false);
    this.connectionLost = connectionLost;
  }

  public boolean connectionLost() {
    return connectionLost;
  }
}
