package dropbox.tcp;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;

/** Every text the TCP front end sends (tcp-protocol.md), and the one mapping from {@link ErrorCode} to text. */
public final class TcpReplies {
  public static final String PROMPT = "> ";
  public static final String AUTH_PROMPT =
      "Please login or signup (LOGIN <username> <password> or SIGNUP <username> <password>): ";
  public static final String GREETING = "Welcome to DropBox Server!\n" + AUTH_PROMPT;

  public static final String LOGIN_SUCCESS = "LOGIN_SUCCESS: Authentication successful\n";
  public static final String SIGNUP_SUCCESS = "SIGNUP_SUCCESS: Account created and logged in\n";
  public static final String LOGIN_FAILED = "LOGIN_FAILED: Invalid username or password\n";
  public static final String SIGNUP_FAILED_PREFIX = "SIGNUP_FAILED: ";
  public static final String AUTH_INVALID =
      "ERROR: Invalid command format. Use LOGIN <username> <password> or SIGNUP <username> <password>\n";
  public static final String TOO_MANY_FAILURES = "ERROR: Too many failed attempts\n";
  public static final String AUTHENTICATED =
      "Authenticated successfully. Available commands: UPLOAD <filename>, DOWNLOAD <filename>, "
          + "DELETE <filename>, LIST, QUIT\n";

  public static final String SUCCESS = "SUCCESS: Operation completed successfully\n";
  public static final String SEND_FILE_DATA = "SEND_FILE_DATA\n";
  public static final String INVALID_COMMAND =
      "ERROR: Invalid command. Use UPLOAD <filename> [--priority=high|medium|low], "
          + "DOWNLOAD <filename> [--priority=high|medium|low], DELETE <filename> [--priority=high|medium|low], "
          + "LIST [--priority=high|medium|low], or QUIT\n";
  public static final String INVALID_FILENAME = "ERROR: Invalid filename\n";
  public static final String NOT_FOUND = "ERROR: File not found\n";
  public static final String BUSY = "ERROR: Server busy, please try again later\n";
  public static final String INTERNAL = "ERROR: Internal error\n";
  public static final String LINE_TOO_LONG = "ERROR: Line too long\n";
  public static final String IDLE_TIMEOUT = "ERROR: Idle timeout\n";
  public static final String LOGIN_TIMEOUT = "ERROR: Login timeout\n";
  public static final String GOODBYE = "Goodbye!\n";
  public static final String SHUTTING_DOWN = "Server is shutting down. Goodbye!\n";

  /** No "> " inside: clients that wait for the prompt would stop in the middle of it. */
  public static final String HELP =
      "Available commands:\n"
          + "  UPLOAD filename [flag]      send a file (the server asks for its length, then its bytes)\n"
          + "  DOWNLOAD filename [flag]    fetch a file\n"
          + "  DELETE filename [flag]      delete a file\n"
          + "  LIST [flag]                 list your files and your usage\n"
          + "  QUOTA [flag]                show your usage\n"
          + "  HELP                        show this list\n"
          + "  QUIT or EXIT                close the connection\n"
          + "Flags: --high, --medium, --low or --priority=high|medium|low (default medium).\n"
          + "Quote names with spaces: UPLOAD \"my notes.txt\"\n";

  /** HELP with the folder extension (storage.engine=v2); v1 keeps HELP above unchanged. */
  public static final String HELP_FOLDERS =
      "Available commands:\n"
          + "  UPLOAD path [flag]          send a file (the server asks for its length, then its bytes)\n"
          + "  DOWNLOAD path [flag]        fetch a file\n"
          + "  DELETE path [flag]          delete a file\n"
          + "  LIST [folder] [flag]        list your files (or one folder) and your usage\n"
          + "  MKDIR folder [flag]         create a folder and its parents\n"
          + "  MOVE from to [flag]         move or rename a file or folder\n"
          + "  COPY from to [flag]         copy a file or folder\n"
          + "  RMDIR folder [flag]         delete a folder and everything in it\n"
          + "  QUOTA [flag]                show your usage\n"
          + "  HELP                        show this list\n"
          + "  QUIT or EXIT                close the connection\n"
          + "Flags: --high, --medium, --low or --priority=high|medium|low (default medium).\n"
          + "A path is names joined by '/': UPLOAD docs/notes.txt\n"
          + "Quote names with spaces: UPLOAD \"my notes.txt\"\n";

  private TcpReplies() {}

  /** The plain port's answer to LOGIN/SIGNUP when credentials may only cross TLS. */
  public static String loginRequiresTls(int tlsPort) {
    return "ERROR: Login requires TLS (port " + tlsPort + ")\n";
  }

  /** The reply line (with its '\n', without the prompt) for a failed storage command. */
  public static String error(Throwable err) {
    if (!(err instanceof StorageException se)) return INTERNAL;
    return error(se.code(), se.getMessage());
  }

  /** The reply line for a failed storage call, whatever form its failure arrived in (event-bus or local). */
  public static String storageError(Throwable err) {
    return error(StorageClient.toStorageException(err));
  }

  /**
   * The one switch from error code to text. For QUOTA_EXCEEDED and TOO_LARGE the storage side puts the
   * spec's sentence ("Quota exceeded (needs ...)", "File too large (limit ...)") in the message.
   */
  public static String error(ErrorCode code, String message) {
    // A switch expression without default: a new ErrorCode fails the build until it is mapped here.
    return switch (code) {
      case INVALID_NAME -> INVALID_FILENAME;
      case NOT_FOUND -> NOT_FOUND;
      case QUOTA_EXCEEDED -> "ERROR: " + orElse(message, "Quota exceeded") + "\n";
      case TOO_LARGE -> "ERROR: " + orElse(message, "File too large") + "\n";
      case BUSY -> BUSY;
      case TIMEOUT -> "ERROR: Operation timed out, please try again later\n";
      case PRECONDITION_FAILED -> "ERROR: Precondition failed\n";
      case BAD_REQUEST -> "ERROR: Invalid request\n";
      case SHUTTING_DOWN -> "ERROR: Server is shutting down\n";
      case INTERNAL -> INTERNAL;
      case PATH_CONFLICT -> "ERROR: Path conflict\n";
      case TARGET_EXISTS -> "ERROR: Target exists\n";
      case IS_FOLDER -> "ERROR: Is a folder (use RMDIR)\n";
      case INVALID_MOVE -> "ERROR: Invalid move\n";
      case FOLDER_NOT_FOUND -> "ERROR: Folder not found\n";
      case LOCKED -> "ERROR: File is locked\n";
      case STORAGE_FULL -> "ERROR: Storage full\n";
    };
  }

  /** A sign-up refusal; a taken name must say "already exists" (clients look for it). */
  public static String signupFailed(String reason, boolean exists) {
    String r = orElse(reason, exists ? "Username already exists" : "Sign-up failed");
    if (exists && !r.contains("already exists")) r = "Username already exists";
    return SIGNUP_FAILED_PREFIX + oneLine(r) + "\n";
  }

  private static String orElse(String s, String dflt) {
    return s == null || s.isBlank() ? dflt : oneLine(s);
  }

  /** A reason is embedded in a line: a newline inside it would desynchronise line-reading clients. */
  private static String oneLine(String s) {
    return s.replace('\r', ' ').replace('\n', ' ');
  }
}
