package dropbox.client;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line transfer progress display (bytes done / total, percent, rate, ETA), redrawn in place with '\r'
 * at most every 100 ms so a fast transfer does not spend its time printing.
 */
public final class ProgressBar implements TransferListener {

  static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final LongSupplier clock;
  private final String label;
  private long total;
  private long startNanos;
  private long lastDrawNanos;
  private long done;
  private boolean drawn;
  private int lastWidth;

  public ProgressBar(PrintStream out, LongSupplier nanoClock, String label) {
    this.out = out;
    this.clock = nanoClock;
    this.label = label;
  }

  @Override
  public void start(long total) {
    this.total = total;
    this.startNanos = clock.getAsLong();
  }

  @Override
  public void update(long done) {
    this.done = done;
    long now = clock.getAsLong();
    if (drawn && now - lastDrawNanos < REDRAW_NANOS) return;
    draw(now);
  }

  /** Draws the final state and ends the line; a transfer that never moved a byte leaves no trace. */
  @Override
  public void finish() {
    if (!drawn && done == 0) return;
    draw(clock.getAsLong());
    out.print('\n');
    out.flush();
  }

  private void draw(long now) {
    lastDrawNanos = now;
    drawn = true;
    String line = label + "  " + render(done, total, now - startNanos);
    // Pad with spaces so a shorter line fully covers the previous one.
    int pad = Math.max(0, lastWidth - line.length());
    lastWidth = line.length();
    out.print('\r' + line + " ".repeat(pad));
    out.flush();
  }

  /** "1.5 MiB / 10.0 MiB  15%  3.0 MiB/s  ETA 0:03" (rate and ETA "--" until a rate can be known). */
  static String render(long done, long total, long elapsedNanos) {
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    double seconds = elapsedNanos / 1e9;
    double rate = seconds > 0 && done > 0 ? done / seconds : -1;
    String eta;
    if (done >= total) eta = formatDuration(0);
    else if (rate > 0) eta = formatDuration((long) Math.ceil((total - done) / rate));
    else eta = "--:--";
    return formatBytes(done) + " / " + formatBytes(total) + "  " + percent + "%  " + formatRate(rate) + "  ETA " + eta;
  }

  /** Binary units with one decimal: "512 B", "1.5 KiB", "10.0 MiB". */
  static String formatBytes(long bytes) {
    if (bytes < 1024) return bytes + " B";
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String formatRate(double bytesPerSecond) {
    if (bytesPerSecond < 0 || Double.isNaN(bytesPerSecond) || Double.isInfinite(bytesPerSecond)) return "-- B/s";
    return formatBytes((long) bytesPerSecond) + "/s";
  }

  /** "m:ss" below an hour, "h:mm:ss" above. */
  static String formatDuration(long seconds) {
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
