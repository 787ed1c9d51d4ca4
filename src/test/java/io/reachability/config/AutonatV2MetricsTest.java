package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialRequestOutcome;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our checks and served requests land in go-libp2p's families with go's label values. */
class AutonatV2MetricsTest {

  private static final PeerId PEER = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  private static final Multiaddr SERVER =
      Multiaddr.fromString("/ip4/127.0.0.1/tcp/5000").withPeerId(PEER);
  private static final Multiaddr TCP = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001");
  private static final Multiaddr QUIC = Multiaddr.fromString("/ip6/::1/udp/4001/quic-v1");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private @Nullable Host host;
  private AutonatV2Metrics metrics = new AutonatV2Metrics(unusedClient(), null);

  private AutonatClient unusedClient() {
    Host started = LoopbackHosts.start("metrics-test");
    host = started;
    return new AutonatClient(started, AutonatClientSettings.defaults());
  }

  @BeforeEach
  void bind() {
    metrics.bindTo(registry);
  }

  @AfterEach
  void close() {
    if (host != null) {
      host.close();
    }
  }

  private static CheckResult result(
      @Nullable ResponseStatus status, @Nullable DialStatus dial, Reachability verdict) {
    return new CheckResult(
        PEER,
        SERVER,
        0,
        TCP,
        status,
        dial,
        verdict,
        "test",
        verdict == Reachability.REACHABLE,
        null,
        0,
        Duration.ofMillis(1));
  }

  private double client(String outcome) {
    return registry
        .get(AutonatV2Metrics.CLIENT_REQUESTS)
        .tag(AutonatV2Metrics.OUTCOME, outcome)
        .counter()
        .count();
  }

  @Test
  void bothOutcomesExistBeforeAnyCheck() {
    assertThat(client("success")).isZero();
    assertThat(client("failure")).isZero();
  }

  @Test
  void clientVerdictsMapToGoReachability() {
    metrics.checked(List.of(TCP), result(ResponseStatus.OK, DialStatus.OK, Reachability.REACHABLE));
    metrics.checked(
        List.of(TCP, QUIC),
        result(ResponseStatus.OK, DialStatus.E_DIAL_ERROR, Reachability.UNREACHABLE));
    metrics.checked(
        List.of(TCP), result(ResponseStatus.E_DIAL_REFUSED, null, Reachability.UNKNOWN));
    metrics.checked(
        List.of(TCP), result(ResponseStatus.E_REQUEST_REJECTED, null, Reachability.UNKNOWN));
    metrics.checked(List.of(TCP), result(null, null, Reachability.UNKNOWN));

    assertThat(client("success")).isEqualTo(3);
    assertThat(client("failure")).isEqualTo(2);
    assertThat(completed("ip4", "tcp", "1", "false", "public")).isEqualTo(1);
    assertThat(completed("ip4", "tcp", "2", "false", "private")).isEqualTo(1);
    assertThat(completed("unknown", "unknown", "1", "true", "unknown")).isEqualTo(1);
  }

  private double completed(
      String ip, String transport, String count, String refused, String reachability) {
    return registry
        .get(AutonatV2Metrics.CLIENT_REQUESTS_COMPLETED)
        .tag("ip_or_dns_version", ip)
        .tag("transport", transport)
        .tag("addr_count", count)
        .tag("dial_refused", refused)
        .tag("reachability", reachability)
        .counter()
        .count();
  }

  private static DialRequestOutcome served(
      @Nullable Multiaddr selected,
      long requested,
      long received,
      @Nullable ResponseStatus status,
      DialStatus dial) {
    return new DialRequestOutcome(
        PEER,
        SERVER,
        1,
        selected == null ? -1 : 0,
        selected,
        requested,
        received,
        status,
        dial,
        null,
        Duration.ofMillis(1));
  }

  private double server(
      String error, String status, String dial, String data, String ip, String transport) {
    return registry
        .get(AutonatV2Metrics.SERVER_REQUESTS)
        .tag("server_error", error)
        .tag("response_status", status)
        .tag("dial_status", dial)
        .tag("dial_data_required", data)
        .tag("ip_or_dns_version", ip)
        .tag("transport", transport)
        .counter()
        .count();
  }

  @Test
  void servedRequestsMapToGoLabels() {
    metrics.served(served(QUIC, 0, 0, ResponseStatus.OK, DialStatus.OK));
    metrics.served(served(TCP, 30_000, 30_000, ResponseStatus.OK, DialStatus.E_DIAL_ERROR));
    metrics.served(served(null, 0, 0, ResponseStatus.E_DIAL_REFUSED, DialStatus.UNUSED));
    metrics.served(served(TCP, 0, 0, ResponseStatus.E_REQUEST_REJECTED, DialStatus.UNUSED));
    metrics.served(served(TCP, 30_000, 100, null, DialStatus.UNUSED));
    metrics.served(served(null, 0, 0, null, DialStatus.UNUSED));

    assertThat(server("nil", "OK", "OK", "false", "ip6", "quic-v1")).isEqualTo(1);
    assertThat(server("nil", "OK", "E_DIAL_ERROR", "true", "ip4", "tcp")).isEqualTo(1);
    assertThat(server("nil", "E_DIAL_REFUSED", "UNUSED", "false", "", "")).isEqualTo(1);
    assertThat(server("nil", "E_REQUEST_REJECTED", "UNUSED", "true", "", "")).isEqualTo(1);
    assertThat(server("dial data refused", "E_INTERNAL_ERROR", "UNUSED", "true", "ip4", "tcp"))
        .isEqualTo(1);
    assertThat(server("other", "E_INTERNAL_ERROR", "UNUSED", "false", "", "")).isEqualTo(1);
  }

  @Test
  void transportAndIpNamesFollowGo() {
    assertThat(AutonatV2Metrics.transport(Multiaddr.fromString("/dns4/a.example/tcp/1/ws")))
        .isEqualTo("ws");
    assertThat(AutonatV2Metrics.ipOrDnsVersion(Multiaddr.fromString("/dns4/a.example/tcp/1/ws")))
        .isEqualTo("dns4");
    assertThat(AutonatV2Metrics.ipOrDnsVersion(Multiaddr.fromString("/dnsaddr/a.example")))
        .isEqualTo("dns");
    assertThat(AutonatV2Metrics.transport(Multiaddr.fromString("/ip4/1.2.3.4/udp/1")))
        .isEqualTo("other");
  }
}
