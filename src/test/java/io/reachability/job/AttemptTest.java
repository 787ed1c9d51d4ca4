package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An attempt is evidence: it names the server address the check really used. */
class AttemptTest {

  static final PeerId SERVER = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  static final Multiaddr ASKED = Multiaddr.fromString("/ip4/127.0.0.1/tcp/9").withPeerId(SERVER);
  static final Multiaddr USED = Multiaddr.fromString("/ip4/127.0.0.1/tcp/40001").withPeerId(SERVER);
  static final Multiaddr TESTED = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001");

  @Test
  void namesTheAddressTheCheckUsedNotTheOneAskedFor() {
    CheckResult result =
        new CheckResult(
            SERVER,
            USED,
            0,
            TESTED,
            ResponseStatus.OK,
            DialStatus.OK,
            Reachability.REACHABLE,
            "dialed back",
            true,
            TESTED,
            0,
            Duration.ofMillis(12));
    Attempt attempt = Attempt.of(result);
    assertThat(attempt.server()).isEqualTo(USED).isNotEqualTo(ASKED);
    assertThat(attempt.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(attempt.durationMs()).isEqualTo(12);
    assertThat(attempt.error()).isNull();
  }
}
