package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rule that turns a response plus the dial-back evidence into a verdict. */
class ClassificationTest {

  private static final Multiaddr QUIC = Multiaddr.fromString("/ip4/1.2.3.4/udp/4001/quic-v1");
  private static final Multiaddr TCP = Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001");
  private static final List<Multiaddr> SENT = List.of(QUIC, TCP);

  /** Where a dial-back of TCP arrives behind a NAT: another IP and port, same transport. */
  private static final Multiaddr TCP_LOCAL = Multiaddr.fromString("/ip4/192.168.1.2/tcp/4001");

  private static Classification classify(
      ResponseStatus status, DialStatus dial, long index, Multiaddr dialBack) {
    return Classification.classify(status, dial, index, SENT, dialBack);
  }

  @Test
  void okWithTheNonceOverTheSameTransportIsReachable() {
    Classification c = classify(ResponseStatus.OK, DialStatus.OK, 1, TCP_LOCAL);
    assertThat(c.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(c.testedIndex()).isEqualTo(1);
    assertThat(c.testedAddress()).isEqualTo(TCP);
    assertThat(c.dialStatus()).isEqualTo(DialStatus.OK);
  }

  @Test
  void okWithoutTheNonceIsUnknown() {
    Classification c = classify(ResponseStatus.OK, DialStatus.OK, 1, null);
    assertThat(c.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(c.reason()).startsWith("OK without a verified nonce");
  }

  @Test
  void okWithTheNonceOverAnotherTransportIsUnknown() {
    Classification c = classify(ResponseStatus.OK, DialStatus.OK, 0, TCP_LOCAL);
    assertThat(c.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(c.reason())
        .isEqualTo(
            "dial-back arrived over a different transport (/ip4/192.168.1.2/tcp/4001) than the"
                + " tested address");
  }

  /** rust-libp2p 0.56's server dials the last address of a request and reports index 0. */
  @Test
  void theNonceOnAnotherAddressOfTheRequestThanTheOneNamedIsUnknown() {
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/1111");
    Multiaddr open = Multiaddr.fromString("/ip4/127.0.0.1/tcp/2222");
    Classification c =
        Classification.classify(ResponseStatus.OK, DialStatus.OK, 0, List.of(closed, open), open);
    assertThat(c.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(c.testedAddress()).isEqualTo(closed);
    assertThat(c.reason())
        .isEqualTo(
            "server named address 0 (/ip4/127.0.0.1/tcp/1111) but the nonce arrived on"
                + " /ip4/127.0.0.1/tcp/2222, address 1 of the request");
    // the named address itself, or one the request does not carry (a NAT), is still proof
    assertThat(
            Classification.classify(
                    ResponseStatus.OK, DialStatus.OK, 1, List.of(closed, open), open)
                .reachability())
        .isEqualTo(Reachability.REACHABLE);
  }

  @Test
  void dialErrorIsUnreachable() {
    Classification c = classify(ResponseStatus.OK, DialStatus.E_DIAL_ERROR, 0, null);
    assertThat(c.reachability()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(c.testedAddress()).isEqualTo(QUIC);
  }

  @Test
  void dialErrorContradictedByTheNonceIsUnknown() {
    Classification c = classify(ResponseStatus.OK, DialStatus.E_DIAL_ERROR, 1, TCP_LOCAL);
    assertThat(c.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(c.reason()).contains("yet the nonce arrived");
  }

  @Test
  void dialBackErrorIsUnknownUnlessTheNonceArrivedConsistently() {
    assertThat(classify(ResponseStatus.OK, DialStatus.E_DIAL_BACK_ERROR, 1, null).reachability())
        .isEqualTo(Reachability.UNKNOWN);
    assertThat(
            classify(ResponseStatus.OK, DialStatus.E_DIAL_BACK_ERROR, 0, TCP_LOCAL).reachability())
        .isEqualTo(Reachability.UNKNOWN);
    Classification c = classify(ResponseStatus.OK, DialStatus.E_DIAL_BACK_ERROR, 1, TCP_LOCAL);
    assertThat(c.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(c.reason()).contains("although the server reported E_DIAL_BACK_ERROR");
  }

  @Test
  void unusedDialStatusIsUnknown() {
    Classification c = classify(ResponseStatus.OK, DialStatus.UNUSED, 1, TCP_LOCAL);
    assertThat(c.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(c.reason()).contains("UNUSED");
  }

  @Test
  void indexOutOfRangeIsUnknown() {
    for (long index : new long[] {2, 10, 4_294_967_295L}) {
      Classification c = classify(ResponseStatus.OK, DialStatus.OK, index, TCP_LOCAL);
      assertThat(c.reachability()).isEqualTo(Reachability.UNKNOWN);
      assertThat(c.testedIndex()).isNull();
      assertThat(c.testedAddress()).isNull();
      assertThat(c.reason())
          .isEqualTo("server reported address index " + index + ", but only 2 addresses were sent");
    }
  }

  @Test
  void errorStatusesAreUnknownWhateverElseTheResponseSays() {
    for (ResponseStatus status :
        List.of(
            ResponseStatus.E_DIAL_REFUSED,
            ResponseStatus.E_REQUEST_REJECTED,
            ResponseStatus.E_INTERNAL_ERROR)) {
      Classification c = classify(status, DialStatus.OK, 1, TCP_LOCAL);
      assertThat(c.reachability()).as("%s", status).isEqualTo(Reachability.UNKNOWN);
      assertThat(c.testedIndex()).isNull();
      assertThat(c.dialStatus()).isNull();
    }
    assertThat(classify(ResponseStatus.E_DIAL_REFUSED, DialStatus.UNUSED, 0, null).reason())
        .isEqualTo("server refused to dial any address");
  }
}
