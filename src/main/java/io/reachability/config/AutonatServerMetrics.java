package io.reachability.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.autonat.AddressClass;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.ResponseStatus;
import java.util.List;

/**
 * The AutoNAT v2 server's counters as metrics ({@code /actuator/prometheus}): every request ends in
 * exactly one outcome, counted here by how it ended.
 */
final class AutonatServerMetrics implements MeterBinder {

  static final String RESPONSES = "reach.autonat.server.responses";
  static final String DIALS = "reach.autonat.server.dials";
  static final String RESETS = "reach.autonat.server.resets";
  static final String DIAL_DATA = "reach.autonat.server.dial.data";

  /** The transports dials are counted by: those the server dials, and none. */
  static final List<String> TRANSPORTS =
      List.of(AddressClass.TCP, AddressClass.QUIC_V1, AutonatServer.NO_DIAL);

  private final AutonatServer server;

  AutonatServerMetrics(AutonatServer server) {
    this.server = server;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (ResponseStatus status : ResponseStatus.values()) {
      FunctionCounter.builder(RESPONSES, server, s -> s.responses(status))
          .description("AutoNAT v2 requests answered, by response status")
          .tag("status", status.name())
          .register(registry);
    }
    for (String transport : TRANSPORTS) {
      for (DialStatus status : DialStatus.values()) {
        FunctionCounter.builder(DIALS, server, s -> s.dials(status, transport))
            .description(
                "AutoNAT v2 requests answered, by dial-back outcome and the transport dialed")
            .tag("status", status.name())
            .tag(JobMetrics.TRANSPORT_TAG, transport)
            .register(registry);
      }
    }
    FunctionCounter.builder(RESETS, server, AutonatServer::resets)
        .description(
            "AutoNAT v2 request streams reset (bad input, over a limit, unpaid dial data,"
                + " timeouts)")
        .register(registry);
    FunctionCounter.builder(DIAL_DATA, server, AutonatServer::dialDataBytesReceived)
        .description("Dial data received from clients")
        .baseUnit("bytes")
        .register(registry);
  }
}
