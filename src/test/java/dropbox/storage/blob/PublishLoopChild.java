package dropbox.storage.blob;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * Child JVM of BlobCrashTest: uploads distinct random blobs of 1–8 MiB for user "crash" as fast as it can
 * (staging, 64 KiB writes, publish), printing "writing &lt;uploadId&gt;" before each and
 * "published &lt;sha256&gt; &lt;size&gt;" once publish returned (what a commit would acknowledge), until killed.
 */
public final class PublishLoopChild {
  public static void main(String[] args) throws Exception {
    FsBlobStore store = new FsBlobStore(Path.of(args[0]), true);
    Random random = new Random();
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; ; i++) {
      StagingId id = new StagingId("crash", "node-child", "up-" + i);
      // Announced before the staging file exists: a kill between the two must not leave a staging
      // file the parent cannot name (it then finds none, which is fine).
      System.out.println("writing " + id.uploadId());
      System.out.flush();
      Path staging = store.createStaging(id);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long size = (1 + random.nextInt(8)) * (1L << 20);
      try (FileChannel ch = FileChannel.open(staging, StandardOpenOption.WRITE)) {
        for (long done = 0; done < size; done += chunk.length) {
          random.nextBytes(chunk);
          md.update(chunk);
          ch.write(ByteBuffer.wrap(chunk));
        }
      }
      String sha = HexFormat.of().formatHex(md.digest());
      store.publish(id, sha, size);
      System.out.println("published " + sha + " " + size);
      System.out.flush();
    }
  }
}
