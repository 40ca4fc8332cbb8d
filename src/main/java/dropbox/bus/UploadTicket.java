package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * An open upload: quota is reserved and a staging file exists. The front end writes the bytes to
 * stagingPath, then must end the upload with exactly one commit or abort (both are idempotent).
 * reservedBytes is the net growth reserved so far; limitBytes the most this upload may grow to
 * (min of maxFileBytes and the user's quota), for front ends that do not know the size up front.
 */
public record UploadTicket(String uploadId, String stagingPath, long reservedBytes, long limitBytes) {

  public JsonObject toJson() {
    return new JsonObject().put("uploadId", uploadId).put("stagingPath", stagingPath)
        .put("reservedBytes", reservedBytes).put("limitBytes", limitBytes);
  }

  public static UploadTicket fromJson(JsonObject j) {
    return new UploadTicket(j.getString("uploadId"), j.getString("stagingPath"),
        j.getLong("reservedBytes"), j.getLong("limitBytes"));
  }
}
