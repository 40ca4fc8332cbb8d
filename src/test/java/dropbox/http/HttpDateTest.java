package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** HttpDate writes IMF-fixdate (a two-digit day), exactly as the equivalent DateTimeFormatter pattern in UTC. */
class HttpDateTest {
  private static void same(long millis) {
    assertEquals(HttpDate.IMF_FIXDATE.format(Instant.ofEpochMilli(millis)), HttpDate.format(millis), "at " + millis);
  }

  @Test
  void matchesTheFormatterAcrossYearsDaysAndSeconds() {
    SplittableRandom r = new SplittableRandom(8);
    long from = Instant.parse("1000-01-01T00:00:00Z").toEpochMilli();
    long to = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    for (int i = 0; i < 200_000; i++) same(r.nextLong(from, to));
    long now = System.currentTimeMillis();
    for (long d = -400; d <= 400; d++) same(now + d * 86_400_000L + d * 997);
  }

  @Test
  void edgesOfDaysYearsAndTheEpoch() {
    for (String t : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00Z",
        "2026-12-01T09:05:07Z", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00Z", "1000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z"}) {
      same(Instant.parse(t).toEpochMilli());
    }
    // Before year 1000: the formatter itself answers.
    same(Instant.parse("0999-12-31T23:59:59Z").toEpochMilli());
    assertEquals("Tue, 01 Dec 2026 16:50:37 GMT", HttpDate.format(Instant.parse("2026-12-01T16:50:37.123Z").toEpochMilli()));
    assertEquals("Sun, 31 Dec 2006 23:59:59 GMT", HttpDate.format(Instant.parse("2006-12-31T23:59:59Z").toEpochMilli()));
  }

  @Test
  void parsesTheThreeFormsARecipientMustAcceptAndNothingElse() {
    long t = Instant.parse("1994-11-06T08:49:37Z").toEpochMilli();
    assertEquals(t, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
    assertEquals(t, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
    assertEquals(t, HttpDate.parse("Sun Nov  6 08:49:37 1994"));
    long now = Instant.parse("2026-12-02T17:40:01Z").toEpochMilli();
    assertEquals(now, HttpDate.parse(HttpDate.format(now + 999)), "what we write reads back, to the second");
    for (String bad : new String[] {null, "", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 25:49:37 GMT",
        "1994-11-06T08:49:37Z", "Sun, 06 Nov 1994 08:49:37 GMT" + " ".repeat(100)}) {
      assertEquals(-1, HttpDate.parse(bad), String.valueOf(bad));
    }
  }

  @Test
  void nowIsTheCurrentSecond() {
    long before = System.currentTimeMillis() / 1000 * 1000;
    long now = HttpDate.parse(HttpDate.now());
    long after = System.currentTimeMillis();
    org.junit.jupiter.api.Assertions.assertTrue(now >= before && now <= after, before + " <= " + now + " <= " + after);
  }
}
