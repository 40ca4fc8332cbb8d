package dropbox.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real command-line clients (curl, openssl) run as processes. A missing tool FAILS the test
 * (scripts/test.sh installs them): a TLS test that silently skips would prove nothing.
 */
public final class Tools {
  private Tools() {}

  public record Result(int exitCode, String out, String err) {
    public String all() { return out + err; }

    @Override
    public String toString() { return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err; }
  }

  /** Fails unless the tool is on the PATH. */
  public static void require(String tool) {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) found = true;
    }
    assertTrue(found, tool + " is needed for this test: apt-get install -y " + tool + " (scripts/test.sh does)");
  }

  public static Result run(List<String> cmd, byte[] stdin, long timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p, false));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p, true));
    try (var in = p.getOutputStream()) {
      if (stdin != null) in.write(stdin);
    } catch (IOException ignored) {
      // the tool may exit before reading its input
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
    }
    return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
  }

  public static Result run(String... cmd) throws IOException, InterruptedException {
    return run(List.of(cmd), new byte[0], 60);
  }

  private static byte[] readAll(Process p, boolean err) {
    try {
      return (err ? p.getErrorStream() : p.getInputStream()).readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** `openssl s_client` with these extra arguments against host:port, its input closed at once. */
  public static Result sClient(String hostPort, String... extra) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", hostPort, "-showcerts"));
    cmd.addAll(List.of(extra));
    return run(cmd, new byte[0], 30);
  }

  /** The SHA-256 fingerprint (openssl's format) of the first PEM certificate in some text. */
  public static String firstCertFingerprint(String text) throws Exception {
    int a = text.indexOf("-----BEGIN CERTIFICATE-----");
    int b = text.indexOf("-----END CERTIFICATE-----", a);
    if (a < 0 || b < 0) throw new AssertionError("no certificate in:\n" + text);
    String pem = text.substring(a, b + "-----END CERTIFICATE-----".length());
    X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
    StringBuilder sb = new StringBuilder();
    for (byte x : d) sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02X", x & 0xff));
    return sb.toString();
  }

  /** What `openssl x509 -noout -fingerprint -sha256 -in FILE` prints after the '='. */
  public static String opensslFingerprint(Path certFile) throws Exception {
    Result r = run("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", certFile.toString());
    if (r.exitCode() != 0) throw new AssertionError("openssl x509 failed: " + r);
    return r.out().trim().substring(r.out().indexOf('=') + 1).trim();
  }
}
