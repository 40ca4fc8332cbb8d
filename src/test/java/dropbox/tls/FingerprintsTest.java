package dropbox.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Fingerprints as openssl prints them, and pins as users type them. */
class FingerprintsTest {
  @Test
  void theDigestIsPrintedLikeOpenssl() {
    // SHA-256 of the empty input.
    assertEquals("E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55",
        Fingerprints.sha256(new byte[0]));
  }

  @Test
  void pinsAreReadWithOrWithoutColonsInAnyCase() {
    String fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    assertEquals(fp, Fingerprints.normalise(fp.replace(":", "").toLowerCase()));
    assertEquals(fp, Fingerprints.normalise("sha256 Fingerprint=" + fp));
    assertEquals(fp, Fingerprints.normalise("  " + fp + " "));
    assertEquals(null, Fingerprints.normalise(fp.substring(3)));
    assertEquals(null, Fingerprints.normalise("xyz"));
  }
}
