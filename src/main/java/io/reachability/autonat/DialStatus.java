package io.reachability.autonat;

import java.util.Optional;

/**
 * {@code DialStatus}: how the server's dial-back went.
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md#requirements-for-dialstatus">spec</a>
 */
public enum DialStatus {
  UNUSED(0),
  E_DIAL_ERROR(100),
  E_DIAL_BACK_ERROR(101),
  OK(200);

  private final int code;

  DialStatus(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Empty for a code this implementation does not understand. */
  public static Optional<DialStatus> fromCode(int code) {
    for (DialStatus status : values()) {
      if (status.code == code) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }
}
