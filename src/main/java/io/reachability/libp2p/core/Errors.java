package io.reachability.libp2p.core;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How the stack words a failure for a log line or a result's reason: one helper, one wording. */
public final class Errors {

  private Errors() {}

  /**
   * The message of {@code error}, looking through the wrappers futures add ({@link
   * CompletionException}, {@link ExecutionException}); the exception's simple class name when it
   * has no message. Never {@code "null"}.
   */
  public static String describe(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null
        && t.getCause() != t) {
      t = t.getCause();
    }
    return messageOf(t);
  }

  /**
   * The message of the innermost cause of {@code error} (say, the operating system's words under a
   * bind failure), or its simple class name when it has none. Never {@code "null"}.
   */
  public static String rootCause(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return messageOf(t);
  }

  private static String messageOf(Throwable t) {
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }
}
