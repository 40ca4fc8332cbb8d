package dropbox.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private static final long MS = 1_000_000L;

  @Test
  void bytesUseBinaryUnitsWithOneDecimal() {
    assertEquals("0 B", ProgressBar.formatBytes(0));
    assertEquals("1023 B", ProgressBar.formatBytes(1023));
    assertEquals("1.0 KiB", ProgressBar.formatBytes(1024));
    assertEquals("1.5 MiB", ProgressBar.formatBytes(3 * 512 * 1024));
    assertEquals("2.0 GiB", ProgressBar.formatBytes(2L << 30));
    assertEquals("8.0 EiB", ProgressBar.formatBytes(Long.MAX_VALUE));
  }

  @Test
  void durationsAreMinutesSecondsOrHours() {
    assertEquals("0:00", ProgressBar.formatDuration(0));
    assertEquals("0:59", ProgressBar.formatDuration(59));
    assertEquals("1:05", ProgressBar.formatDuration(65));
    assertEquals("1:00:01", ProgressBar.formatDuration(3601));
  }

  @Test
  void rateAndEtaFollowFromElapsedTime() {
    // 1 MiB of 4 MiB in 2 s: 512 KiB/s, 3 MiB left -> 6 s.
    assertEquals("1.0 MiB / 4.0 MiB  25%  512.0 KiB/s  ETA 0:06",
        ProgressBar.render(1 << 20, 4 << 20, 2000 * MS));
  }

  @Test
  void unknownRateShowsDashes() {
    assertEquals("0 B / 10.0 KiB  0%  -- B/s  ETA --:--", ProgressBar.render(0, 10 * 1024, 0));
    assertEquals("0 B / 0 B  100%  -- B/s  ETA 0:00", ProgressBar.render(0, 0, 5 * MS));
  }

  @Test
  void redrawsAtMostTenTimesASecondAndEndsTheLine() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(sink, true, StandardCharsets.UTF_8), now::get, "f.bin");
    bar.start(1000);
    for (int i = 1; i <= 1000; i++) {
      now.addAndGet(MS); // 1 s in total, one update per ms
      bar.update(i);
    }
    bar.finish();
    String text = sink.toString(StandardCharsets.UTF_8);
    long redraws = text.chars().filter(c -> c == '\r').count();
    assertTrue(redraws >= 10 && redraws <= 12, "redraws: " + redraws);
    assertTrue(text.endsWith("\n"));
    assertTrue(text.contains("f.bin  1000 B / 1000 B  100%"), text);
    assertFalse(text.substring(0, text.length() - 1).contains("\n"), "one line, redrawn in place");
  }

  @Test
  void aShorterRedrawBlanksTheRestOfTheLongerOne() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(sink, true, StandardCharsets.UTF_8), now::get, "x");
    bar.start(3L << 30);
    now.set(1_000_000 * MS);
    bar.update(1000); // 1 B/s: an ETA of many hours, a long line
    now.set(1_000_200 * MS);
    bar.update(2L << 30); // a short ETA
    String[] draws = sink.toString(StandardCharsets.UTF_8).split("\r");
    assertTrue(draws[2].endsWith("  "), "padded: [" + draws[2] + "]");
    assertEquals(draws[1].length(), draws[2].length());
  }

  @Test
  void aTransferThatNeverMovedPrintsNothing() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(sink, true, StandardCharsets.UTF_8), System::nanoTime, "x");
    bar.start(0);
    bar.finish();
    assertEquals("", sink.toString(StandardCharsets.UTF_8));
  }
}
