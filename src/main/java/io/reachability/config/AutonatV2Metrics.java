package io.reachability.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialRequestOutcome;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Protocol;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The AutoNAT v2 metric families go-libp2p exports ({@code p2p/protocol/autonatv2/metrics.go}),
 * with its names, label names and label values, fed from our client's checks and our server's
 * requests, so that dashboards and alerts written for go-libp2p nodes work on this service too.
 * Like go's counter vectors, a series appears once something was counted with its labels; only
 * {@value #CLIENT_REQUESTS}'s two outcomes exist from the start.
 *
 * <p>Our verdicts map onto go's: a check answered {@code OK} whose nonce proved the address
 * reachable is go's {@code public}, one answered {@code OK} with {@code E_DIAL_ERROR} is {@code
 * private}, {@code E_DIAL_REFUSED} is a success with {@code dial_refused="true"}; anything else
 * (rejected, internal error, no answer, a dial-back that proves nothing) is an {@code outcome} of
 * {@code failure}, as go's client returns an error for it. On the server, a reset stream is go's
 * error: {@code dial data refused} when dial data was owed, {@code other} otherwise (we do not tell
 * a bad request apart from a broken stream in numbers; the log does).
 */
final class AutonatV2Metrics implements MeterBinder {

  /** go: {@code libp2p_autonatv2_requests_completed_total}, the server's requests. */
  static final String SERVER_REQUESTS = "libp2p.autonatv2.requests.completed";

  /** go: {@code libp2p_autonatv2_client_requests_completed_total}, successful client requests. */
  static final String CLIENT_REQUESTS_COMPLETED = "libp2p.autonatv2.client.requests.completed";

  /** go: {@code libp2p_autonatv2_client_requests_total}, every client request by outcome. */
  static final String CLIENT_REQUESTS = "libp2p.autonatv2.client.requests";

  // label names, as go names them
  static final String SERVER_ERROR = "server_error";
  static final String RESPONSE_STATUS = "response_status";
  static final String DIAL_STATUS = "dial_status";
  static final String DIAL_DATA_REQUIRED = "dial_data_required";
  static final String IP_OR_DNS_VERSION = "ip_or_dns_version";
  static final String TRANSPORT = "transport";
  static final String ADDR_COUNT = "addr_count";
  static final String DIAL_REFUSED = "dial_refused";
  static final String REACHABILITY = "reachability";
  static final String OUTCOME = "outcome";

  // label values, as go writes them
  static final String NO_ERROR = "nil";
  static final String DIAL_DATA_REFUSED = "dial data refused";
  static final String OTHER_ERROR = "other";
  static final String SUCCESS = "success";
  static final String FAILURE = "failure";
  static final String PUBLIC = "public";
  static final String PRIVATE = "private";
  static final String UNKNOWN = "unknown";
  static final String OTHER_TRANSPORT = "other";

  /** go's value of the address labels when the server dialed no address. */
  static final String NO_ADDRESS = "";

  /**
   * The protocols go's {@code metricshelper.GetTransport} names an address by, in its order: the
   * last component of the address that is one of these names the transport.
   */
  private static final List<Protocol> TRANSPORTS =
      List.of(
          Protocol.P2P_CIRCUIT,
          Protocol.WEBRTC,
          Protocol.WEBRTC_DIRECT,
          Protocol.WEBTRANSPORT,
          Protocol.QUIC,
          Protocol.QUIC_V1,
          Protocol.WSS,
          Protocol.WS,
          Protocol.TCP);

  private final AutonatClient client;
  private final @Nullable AutonatServer server;
  private @Nullable MeterRegistry registry;

  /** {@code server} is null when the server role is off. */
  AutonatV2Metrics(AutonatClient client, @Nullable AutonatServer server) {
    this.client = client;
    this.server = server;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    for (String outcome : List.of(SUCCESS, FAILURE)) {
      clientRequests(registry, outcome);
    }
    client.addCheckListener(this::checked);
    AutonatServer role = server;
    if (role != null) {
      role.addOutcomeListener(this::served);
    }
  }

  private static Counter clientRequests(MeterRegistry registry, String outcome) {
    return Counter.builder(CLIENT_REQUESTS)
        .description("AutoNAT v2 client requests by outcome (go-libp2p's family)")
        .tag(OUTCOME, outcome)
        .register(registry);
  }

  void checked(List<Multiaddr> sent, CheckResult result) {
    MeterRegistry registry = Objects.requireNonNull(this.registry, "bound");
    ResponseStatus status = result.responseStatus();
    boolean refused = status == ResponseStatus.E_DIAL_REFUSED;
    String reachability;
    if (refused) {
      reachability = UNKNOWN;
    } else if (status == ResponseStatus.OK && result.reachability() == Reachability.REACHABLE) {
      reachability = PUBLIC;
    } else if (status == ResponseStatus.OK
        && result.reachability() == Reachability.UNREACHABLE
        && result.dialStatus() == DialStatus.E_DIAL_ERROR) {
      reachability = PRIVATE;
    } else {
      clientRequests(registry, FAILURE).increment();
      return;
    }
    clientRequests(registry, SUCCESS).increment();
    Multiaddr tested = refused ? null : result.testedAddress();
    Counter.builder(CLIENT_REQUESTS_COMPLETED)
        .description("AutoNAT v2 client requests answered (go-libp2p's family)")
        .tag(IP_OR_DNS_VERSION, tested == null ? UNKNOWN : ipOrDnsVersion(tested))
        .tag(TRANSPORT, tested == null ? UNKNOWN : transport(tested))
        .tag(ADDR_COUNT, Integer.toString(sent.size()))
        .tag(DIAL_REFUSED, Boolean.toString(refused))
        .tag(REACHABILITY, reachability)
        .register(registry)
        .increment();
  }

  void served(DialRequestOutcome outcome) {
    MeterRegistry registry = Objects.requireNonNull(this.registry, "bound");
    ResponseStatus status = outcome.responseStatus();
    boolean dialDataOwed = outcome.dialDataReceived() < outcome.dialDataRequested();
    String error;
    if (status != null) {
      error = NO_ERROR;
    } else if (dialDataOwed) {
      error = DIAL_DATA_REFUSED;
    } else {
      error = OTHER_ERROR;
    }
    // after an address was picked, only a spent dial-data budget rejects: go counts that as dial
    // data required too
    boolean dataRequired =
        outcome.dialDataRequested() > 0
            || (status == ResponseStatus.E_REQUEST_REJECTED && outcome.selectedAddress() != null);
    // go names the dialed address only once it asked for dial data or dialed
    Multiaddr dialed =
        status == ResponseStatus.OK || (status == null && outcome.dialDataRequested() > 0)
            ? outcome.selectedAddress()
            : null;
    Counter.builder(SERVER_REQUESTS)
        .description("AutoNAT v2 requests served (go-libp2p's family)")
        // a reset answers nothing: go reports the zero value of its enum then
        .tag(SERVER_ERROR, error)
        .tag(
            RESPONSE_STATUS,
            status == null ? ResponseStatus.E_INTERNAL_ERROR.name() : status.name())
        .tag(DIAL_STATUS, outcome.dialStatus().name())
        .tag(DIAL_DATA_REQUIRED, Boolean.toString(dataRequired))
        .tag(IP_OR_DNS_VERSION, dialed == null ? NO_ADDRESS : ipOrDnsVersion(dialed))
        .tag(TRANSPORT, dialed == null ? NO_ADDRESS : transport(dialed))
        .register(registry)
        .increment();
  }

  /** go's {@code ip_or_dns_version}: named by the address's first component. */
  static String ipOrDnsVersion(Multiaddr address) {
    List<Multiaddr.Component> components = address.components();
    if (components.isEmpty()) {
      return NO_ADDRESS;
    }
    return switch (components.get(0).protocol()) {
      case DNS, DNSADDR -> "dns";
      case DNS4 -> "dns4";
      case DNS6 -> "dns6";
      case IP4 -> "ip4";
      case IP6 -> "ip6";
      default -> UNKNOWN;
    };
  }

  /** go's {@code transport}: the last component that names a transport, else {@code other}. */
  static String transport(Multiaddr address) {
    List<Multiaddr.Component> components = address.components();
    for (int i = components.size() - 1; i >= 0; i--) {
      Protocol protocol = components.get(i).protocol();
      if (TRANSPORTS.contains(protocol)) {
        return protocol.protocolName();
      }
    }
    return OTHER_TRANSPORT;
  }
}
