package dropbox.tcp;

/**
 * What a session must know about the port it was accepted on: whether it is the implicit-TLS port,
 * and whether credentials may be sent on it (tcp-protocol.md "Transport": with
 * auth.allowPlaintextLogin=false the plain port refuses LOGIN and SIGNUP and names the TLS port).
 */
record TcpTransport(boolean tls, boolean plaintextLoginAllowed, int tlsPort) {

  /** LOGIN and SIGNUP are refused here, before any password is looked at. */
  boolean refusesLogin() {
    return !tls && !plaintextLoginAllowed;
  }
}
