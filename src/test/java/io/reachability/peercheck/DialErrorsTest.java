package io.reachability.peercheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.reachability.libp2p.Libp2pException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** A failed dial is told by its class, never by the operating system's words. */
class DialErrorsTest {

  @Test
  void eachClassOfFailureHasItsWords() {
    assertThat(DialErrors.describe(null)).isEqualTo(DialErrors.NO_CONNECTION);
    assertThat(
            DialErrors.describe(
                new CompletionException(
                    new ConnectException(
                        "connect(..) failed: Connection refused: /192.0.2.7:4001"))))
        .isEqualTo(DialErrors.REFUSED);
    assertThat(DialErrors.describe(new TimeoutException())).isEqualTo(DialErrors.TIMED_OUT);
    assertThat(DialErrors.describe(new ConnectTimeoutException("connection timed out: /192.0.2.7")))
        .isEqualTo(DialErrors.TIMED_OUT);
    assertThat(DialErrors.describe(new NoRouteToHostException("No route to host")))
        .isEqualTo(DialErrors.NO_ROUTE);
    assertThat(DialErrors.describe(new ConnectException("Network is unreachable")))
        .isEqualTo(DialErrors.NO_ROUTE);
    assertThat(DialErrors.describe(new Libp2pException("no common security protocol")))
        .isEqualTo(DialErrors.UPGRADE_PREFIX + "no common security protocol");
    assertThat(DialErrors.describe(new IOException("Connection reset by peer /192.0.2.7")))
        .isEqualTo(DialErrors.UPGRADE_FAILED)
        .doesNotContain("192.0.2.7");
  }

  @Test
  void runningOutOfTimeAfterTheSocketConnectedIsAStalledUpgradeNotSilence() {
    assertThat(DialErrors.describe(new TimeoutException(), true))
        .isEqualTo(DialErrors.UPGRADE_TIMED_OUT);
    assertThat(DialErrors.describe(new TimeoutException(), false)).isEqualTo(DialErrors.TIMED_OUT);
    // anything else is told as before
    assertThat(DialErrors.describe(new Libp2pException("no common security protocol"), true))
        .isEqualTo(DialErrors.UPGRADE_PREFIX + "no common security protocol");
  }
}
