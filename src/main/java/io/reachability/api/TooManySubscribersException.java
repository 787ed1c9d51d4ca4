package io.reachability.api;

/** The event stream has as many subscribers as it takes. */
final class TooManySubscribersException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  TooManySubscribersException(int max) {
    super("the reachability event stream has its " + max + " subscribers; try again later");
  }
}
