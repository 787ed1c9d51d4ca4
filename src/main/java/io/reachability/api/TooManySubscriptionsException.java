package io.reachability.api;

/**
 * One client has {@code max} event streams open already (REST: 429); other clients are not
 * affected.
 */
final class TooManySubscriptionsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  TooManySubscriptionsException(int max) {
    super(
        "you have "
            + max
            + " reachability event streams open, the most one client may have; close one first");
  }
}
