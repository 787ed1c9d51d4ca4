package io.reachability.access;

/**
 * A request refused for who is calling (REST: 401 with {@code WWW-Authenticate: Bearer}, or 403),
 * answered as a problem by the API's exception handler.
 */
public final class AccessDeniedProblem extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Whether the caller should send (another) API key: 401 with a challenge; otherwise 403. */
  private final boolean challenge;

  private AccessDeniedProblem(String message, boolean challenge) {
    super(message);
    this.challenge = challenge;
  }

  /** 401: a key is needed and none was sent. */
  static AccessDeniedProblem keyRequired() {
    return new AccessDeniedProblem(
        "an API key is required: send Authorization: Bearer <key>", true);
  }

  /** 401: what was sent is not one of the configured keys, or not a bearer token. */
  static AccessDeniedProblem badKey() {
    return new AccessDeniedProblem(
        "the Authorization header does not carry a valid API key (Authorization: Bearer <key>)",
        true);
  }

  /** 403: no key is configured, so only callers on this machine may do this. */
  static AccessDeniedProblem loopbackOnly() {
    return new AccessDeniedProblem(
        "no API key is configured (reach.access.keys), so this is answered for callers on this"
            + " machine (loopback) only",
        false);
  }

  /**
   * 403: a loopback caller that named the service by a host name other than localhost: what a web
   * page does after DNS rebinding, so it is not the trusted local caller.
   */
  static AccessDeniedProblem localCallerByName() {
    return new AccessDeniedProblem(
        "no API key is configured (reach.access.keys), so this is answered for callers on this"
            + " machine only, and only when they name it as localhost or by an IP address (Host"
            + " header): a web page could otherwise reach it through a DNS name it controls",
        false);
  }

  /** 403: an authenticated caller that may not do this. */
  static AccessDeniedProblem forbidden() {
    return new AccessDeniedProblem("this API key may not do this", false);
  }

  public boolean challenge() {
    return challenge;
  }
}
