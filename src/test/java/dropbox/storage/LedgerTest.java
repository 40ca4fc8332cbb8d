package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private static final long QUOTA = 100;

  @Test
  void reservationsCountAgainstTheQuotaUntilCommittedOrReleased() {
    Ledger l = new Ledger();
    l.reserve("a", 60, 0, QUOTA, "n", 0);
    StorageException e = assertThrows(StorageException.class, () -> l.reserve("b", 41, 0, QUOTA, "n", 0));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
    assertEquals("Quota exceeded (needs 41 bytes, 40 bytes free)", e.getMessage());
    l.reserve("b", 40, 0, QUOTA, "n", 0);
    assertEquals(0, l.free(QUOTA));
    l.release("b");
    l.commit("a", 60, -1, QUOTA);
    assertEquals(60, l.committed);
    assertEquals(1, l.files);
    assertEquals(0, l.reserved());
  }

  @Test
  void replacingAFileReservesOnlyTheGrowth() {
    Ledger l = new Ledger();
    l.reserve("a", 80, 0, QUOTA, "n", 0);
    l.commit("a", 80, -1, QUOTA);
    Ledger.Reservation r = l.reserve("b", 90, 80, QUOTA, "n", 0);
    assertEquals(10, r.bytes());
    l.commit("b", 90, 80, QUOTA);
    assertEquals(90, l.committed);
    assertEquals(1, l.files);
    l.reserve("c", 5, 90, QUOTA, "n", 0);
    l.commit("c", 5, 90, QUOTA);
    assertEquals(5, l.committed);
  }

  @Test
  void commitChecksTheRealGrowthAgain() {
    Ledger l = new Ledger();
    l.reserve("old", 50, 0, QUOTA, "n", 0);
    l.commit("old", 50, -1, QUOTA);
    // Reserved as a replacement of the 50-byte file (growth 40)...
    l.reserve("r", 90, 50, QUOTA, "n", 0);
    // ...but meanwhile the file was deleted and another upload filled the space.
    l.removeFile(50);
    l.reserve("x", 50, 0, QUOTA, "n", 0);
    l.commit("x", 50, -1, QUOTA);
    StorageException e = assertThrows(StorageException.class, () -> l.commit("r", 90, -1, QUOTA));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
    assertEquals(50, l.committed);
  }

  @Test
  void extendGrowsAReservationInSteps() {
    Ledger l = new Ledger();
    l.reserve("a", 0, 0, QUOTA, "n", 0);
    assertEquals(30, l.extend("a", 30, QUOTA).covered());
    assertEquals(100, l.extend("a", 70, QUOTA).bytes());
    assertThrows(StorageException.class, () -> l.extend("a", 1, QUOTA));
    assertThrows(StorageException.class, () -> l.commit("a", 101, -1, QUOTA));
  }

  @Test
  void roundTripsThroughJson() {
    Ledger l = new Ledger();
    l.reserve("a", 10, 2, QUOTA, "node1", 123);
    l.reserve("b", 10, 2, QUOTA, "node1", "front-end-node", 124);
    l.committed = 42;
    l.files = 3;
    Ledger back = Ledger.fromJson(l.toJson());
    assertEquals(42, back.committed);
    assertEquals(3, back.files);
    assertEquals(l.reservations, back.reservations);
  }
}
