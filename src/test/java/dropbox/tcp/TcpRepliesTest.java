package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TcpRepliesTest {

  @Test
  void everyErrorCodeHasItsOwnOneLineText() {
    Map<ErrorCode, String> expected = new EnumMap<>(ErrorCode.class);
    expected.put(ErrorCode.INVALID_NAME, "ERROR: Invalid filename\n");
    expected.put(ErrorCode.NOT_FOUND, "ERROR: File not found\n");
    expected.put(ErrorCode.QUOTA_EXCEEDED, "ERROR: Quota exceeded (needs 10 bytes, 3 bytes free)\n");
    expected.put(ErrorCode.TOO_LARGE, "ERROR: File too large (limit 100 bytes)\n");
    expected.put(ErrorCode.BUSY, "ERROR: Server busy, please try again later\n");
    expected.put(ErrorCode.TIMEOUT, "ERROR: Operation timed out, please try again later\n");
    expected.put(ErrorCode.PRECONDITION_FAILED, "ERROR: Precondition failed\n");
    expected.put(ErrorCode.BAD_REQUEST, "ERROR: Invalid request\n");
    expected.put(ErrorCode.SHUTTING_DOWN, "ERROR: Server is shutting down\n");
    expected.put(ErrorCode.INTERNAL, "ERROR: Internal error\n");
    expected.put(ErrorCode.PATH_CONFLICT, "ERROR: Path conflict\n");
    expected.put(ErrorCode.TARGET_EXISTS, "ERROR: Target exists\n");
    expected.put(ErrorCode.IS_FOLDER, "ERROR: Is a folder (use RMDIR)\n");
    expected.put(ErrorCode.INVALID_MOVE, "ERROR: Invalid move\n");
    expected.put(ErrorCode.FOLDER_NOT_FOUND, "ERROR: Folder not found\n");
    expected.put(ErrorCode.LOCKED, "ERROR: File is locked\n");
    expected.put(ErrorCode.STORAGE_FULL, "ERROR: Storage full\n");
    Map<ErrorCode, String> messages = Map.of(
        ErrorCode.QUOTA_EXCEEDED, "Quota exceeded (needs 10 bytes, 3 bytes free)",
        ErrorCode.TOO_LARGE, "File too large (limit 100 bytes)");
    Set<String> seen = new HashSet<>();
    for (ErrorCode c : ErrorCode.values()) {
      assertTrue(expected.containsKey(c), "no expected text for " + c + ": map it in TcpReplies");
      String text = TcpReplies.error(new StorageException(c, messages.getOrDefault(c, "/secret/path leaked")));
      assertEquals(expected.get(c), text, c.toString());
      assertTrue(seen.add(text), "two codes share a text: " + text);
      assertEquals(1, text.chars().filter(ch -> ch == '\n').count());
      assertFalse(text.contains("/secret"), "storage messages other than quota/size are not shown");
    }
  }

  @Test
  void quotaAndSizeMessagesStayOnOneLine() {
    assertEquals("ERROR: Quota exceeded x y\n",
        TcpReplies.error(new StorageException(ErrorCode.QUOTA_EXCEEDED, "Quota exceeded\nx\ry")));
    assertEquals("ERROR: File too large\n", TcpReplies.error(new StorageException(ErrorCode.TOO_LARGE, null)));
  }

  @Test
  void nonStorageFailuresAreInternalErrors() {
    assertEquals("ERROR: Internal error\n", TcpReplies.error(new IllegalStateException("/etc/passwd")));
  }

  @Test
  void signupFailureForATakenNameSaysAlreadyExists() {
    assertEquals("SIGNUP_FAILED: Username already exists\n", TcpReplies.signupFailed("Taken", true));
    assertEquals("SIGNUP_FAILED: User alice already exists\n", TcpReplies.signupFailed("User alice already exists", true));
    assertEquals("SIGNUP_FAILED: Password too short\n", TcpReplies.signupFailed("Password too short", false));
  }

  @Test
  void fixedTextsAreTheSpecs() {
    assertEquals("Welcome to DropBox Server!\nPlease login or signup (LOGIN <username> <password> or SIGNUP "
        + "<username> <password>): ", TcpReplies.GREETING);
    assertEquals("ERROR: Invalid command. Use UPLOAD <filename> [--priority=high|medium|low], DOWNLOAD <filename> "
        + "[--priority=high|medium|low], DELETE <filename> [--priority=high|medium|low], LIST "
        + "[--priority=high|medium|low], or QUIT\n", TcpReplies.INVALID_COMMAND);
    assertEquals("Authenticated successfully. Available commands: UPLOAD <filename>, DOWNLOAD <filename>, "
        + "DELETE <filename>, LIST, QUIT\n", TcpReplies.AUTHENTICATED);
    assertEquals("SUCCESS: Operation completed successfully\n", TcpReplies.SUCCESS);
    assertEquals("> ", TcpReplies.PROMPT);
  }

  @Test
  void ourOwnTextsNeverContainThePrompt() {
    for (String s : new String[] {TcpReplies.HELP, TcpReplies.SUCCESS, TcpReplies.SEND_FILE_DATA, TcpReplies.BUSY,
        TcpReplies.INVALID_FILENAME, TcpReplies.NOT_FOUND, TcpReplies.INTERNAL, TcpReplies.LOGIN_FAILED}) {
      assertFalse(s.contains("> "), s);
    }
  }
}
