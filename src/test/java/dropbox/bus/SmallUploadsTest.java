package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which uploads are held in memory and sent in one command, and the bound on that memory. */
class SmallUploadsTest {
  private final QuotaPolicy quotas = new QuotaPolicy(1000, new JsonObject().put("big", 5000), 4000);

  @Test
  void onlyKnownSizesUpToTheLimitAreSmall() {
    SmallUploads s = new SmallUploads(100, quotas);
    assertTrue(s.tryTake(0));
    assertTrue(s.tryTake(100));
    assertFalse(s.tryTake(101));
    assertFalse(s.tryTake(-1), "unknown size (chunked) streams");
    s.release(100);
    assertEquals(0, SmallUploads.inFlight());
    assertFalse(new SmallUploads(0, quotas).tryTake(0), "0 switches it off");
  }

  @Test
  void theProcessHoldsAtMostTheBudgetThenUploadsStream() {
    SmallUploads s = new SmallUploads(10, quotas);
    List<Long> taken = new ArrayList<>();
    while (s.tryTake(10)) taken.add(10L);
    assertEquals(SmallUploads.BUDGET_UPLOADS, taken.size());
    assertEquals(10 * SmallUploads.BUDGET_UPLOADS, SmallUploads.inFlight());
    assertFalse(s.tryTake(1), "spent: the next upload takes the streamed path");
    s.release(10);
    assertTrue(s.tryTake(10), "room again once one is answered");
    taken.forEach(s::release);
    assertEquals(0, SmallUploads.inFlight());
  }

  @Test
  void theLimitIsTheQuotaPolicys() {
    SmallUploads s = new SmallUploads(65536, quotas);
    assertEquals(1000, s.limitFor("alice"));
    assertEquals(4000, s.limitFor("big"), "the file-size cap below the user's quota");
  }
}
