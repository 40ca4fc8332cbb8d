package dropbox.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * --tls-self-signed: an EC P-256 key and a self-signed certificate for localhost, 127.0.0.1, ::1, this
 * machine's name and the configured listen host, generated ONCE under {@code <storage.root>/tls/} and
 * reused on every later start (so clients that pinned its fingerprint keep working). The directory is
 * 0700 and both files 0600; they are written to temporary names and moved into place, so a crash
 * mid-way never leaves half a pair. BouncyCastle builds the certificate with the JDK's own providers
 * (Java 17 has no public API for it; no --add-opens needed).
 */
public final class SelfSignedCert {
  public static final String DIR = "tls";
  public static final String CERT = "selfsigned-cert.pem";
  public static final String KEY = "selfsigned-key.pem";
  /** Long-lived on purpose: clients pin it, and no public CA rule (398 days) applies to it. */
  static final Duration VALIDITY = Duration.ofDays(3650);

  private SelfSignedCert() {}

  /**
   * The pair's paths, generating it first when it is not there yet. Blocking. Nodes of a cluster share
   * the storage root: a file lock makes the first one generate and the others reuse its pair.
   */
  public static Paths ensure(Path storageRoot, String listenHost) throws IOException {
    Path dir = storageRoot.resolve(DIR);
    Path cert = dir.resolve(CERT);
    Path key = dir.resolve(KEY);
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock = ch.lock()) {
      if (Files.isRegularFile(cert) && Files.isRegularFile(key)) return new Paths(cert, key, false);
      // A key without a certificate is an interrupted first run: generate again. The other way round
      // someone removed the key, and replacing the certificate silently would break every pinned client.
      if (Files.exists(cert)) throw new IOException(cert + " exists but " + key + " does not; restore the key or remove both");
      String[] pem = generate(listenHost);
      // Key first: the certificate's presence is what marks the pair as complete.
      writePrivate(key, pem[1]);
      writePrivate(cert, pem[0]);
      return new Paths(cert, key, true);
    }
  }

  /** Where the pair lives; generated says it was created by this call. */
  public record Paths(Path cert, Path key, boolean generated) {}

  /** [certificate PEM, PKCS#8 key PEM]. */
  static String[] generate(String listenHost) throws IOException {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair kp = g.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=DropBox Server (self-signed)");
      BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial,
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, kp.getPublic());
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames(listenHost)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      // clientAuth too: cluster nodes present this same certificate to each other (mutual TLS on the bus).
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
      return new String[] {pem(holder), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null))};
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  private static GeneralName[] altNames(String listenHost) {
    Set<GeneralName> names = new LinkedHashSet<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.iPAddress, "::1"));
    try {
      String h = InetAddress.getLocalHost().getHostName();
      if (h != null && !h.isBlank() && !h.equals("localhost")) names.add(name(h));
    } catch (IOException e) {
      // no resolvable machine name: the loopback names still work
    }
    if (listenHost != null && !listenHost.isBlank() && !listenHost.equals("0.0.0.0") && !listenHost.equals("::")) {
      names.add(name(listenHost));
    }
    return names.toArray(new GeneralName[0]);
  }

  private static GeneralName name(String host) {
    boolean ip = host.matches("[0-9.]+") || host.contains(":");
    return new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host);
  }

  private static String pem(Object o) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    return sw.toString();
  }

  /** Created 0600 from the start (never briefly world-readable), then renamed into place. */
  private static void writePrivate(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new IOException("cannot create " + tmp, e);
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
