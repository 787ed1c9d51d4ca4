package io.reachability.autonat;

import java.util.Optional;

/**
 * {@code DialResponse.ResponseStatus}: whether the server served the request.
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md#requirements-for-responsestatus">spec</a>
 */
public enum ResponseStatus {
  E_INTERNAL_ERROR(0),
  E_REQUEST_REJECTED(100),
  E_DIAL_REFUSED(101),
  OK(200);

  private final int code;

  ResponseStatus(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * Empty for a code this implementation does not understand (the spec says: discard such
   * responses).
   */
  public static Optional<ResponseStatus> fromCode(int code) {
    for (ResponseStatus status : values()) {
      if (status.code == code) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }
}
