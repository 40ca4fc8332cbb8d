package dropbox.testing;

import dropbox.bus.DownloadHandle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The bytes a download handle names, whether they came inline (small files) or as a content file. */
public final class Contents {
  private Contents() {}

  public static byte[] bytes(DownloadHandle h) throws IOException {
    return h.isInline() ? h.inline().getBytes() : Files.readAllBytes(Path.of(h.contentPath()));
  }

  public static String text(DownloadHandle h) throws IOException {
    return new String(bytes(h), StandardCharsets.UTF_8);
  }
}
