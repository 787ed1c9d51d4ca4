package io.reachability.api;

import io.reachability.access.ApiClient;
import io.reachability.autonat.AddressClass;
import io.reachability.libp2p.host.Host;
import io.reachability.monitor.Diagnoses;
import io.reachability.monitor.Diagnosis;
import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.monitor.ReachabilityReport;
import io.reachability.pool.EmbeddedPool;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The reachability monitor: the node's addresses' verdicts now, and a stream of their changes. */
@RestController
@RequestMapping(ReachabilityController.PATH)
@Tag(name = ApiDocumentation.TAG_REACHABILITY)
@ApiResponse(
    responseCode = "404",
    description = "The monitor is switched off (`reach.monitor.enabled=false`).",
    content =
        @Content(
            mediaType = ApiDocumentation.PROBLEM_JSON,
            schema = @Schema(implementation = ApiDocumentation.Problem.class)))
class ReachabilityController implements DisposableBean {

  static final String PATH = "/api/v1/reachability";

  private final @Nullable ReachabilityMonitor monitor;
  private final @Nullable ReachabilityEvents events;
  private final ServerPool pool;
  private final @Nullable Host host;

  ReachabilityController(
      ObjectProvider<ReachabilityMonitor> monitor, ServerPool pool, ObjectProvider<Host> host) {
    this.pool = pool;
    this.host = host.getIfAvailable();
    this.monitor = monitor.getIfAvailable();
    this.events =
        this.monitor == null ? null : new ReachabilityEvents(this.monitor, Clock.systemUTC());
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "getReachability",
      summary = "The node's reachability",
      description =
          """
          Every candidate address the monitor tracks (listen addresses with wildcards expanded,
          `reach.node.announce`), with its verdict from a sliding window of the last 5 outcomes
          (each valid 5 h), the window's counts, the recent history and when it is probed next;
          and diagnoses: likely causes (carrier-grade NAT, double NAT, UDP blocked, port not
          forwarded, firewalled) with their evidence and a fix-it hint.\
          """)
  @ApiResponse(responseCode = "200", description = "The monitor's view now.")
  ReachabilityView reachability() {
    ReachabilityReport report = monitor().report();
    List<Diagnosis> diagnoses =
        Diagnoses.of(
            report,
            host == null ? List.of() : host.interfaceListenAddresses(),
            host == null ? List.of() : host.observedAddresses(),
            pool.servers().stream()
                .map(
                    server ->
                        new Diagnoses.Observer(
                            server.peerId(),
                            server.source() != PoolServer.Source.DISCOVERED,
                            AddressClass.isPublic(server.address())))
                .toList());
    return ReachabilityView.of(report, diagnoses, pool.hasEmbedded() ? EmbeddedPool.NOTICE : null);
  }

  @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @Operation(
      operationId = "streamReachabilityEvents",
      summary = "Verdict changes as server-sent events",
      description =
          """
          A `text/event-stream`: on connect one `verdict` event per tracked address (its current
          verdict, `previous` null), then one each time an address's verdict changes. Every event
          has an `id`; a `keep-alive` comment comes every\
          """
              + " "
              + ReachabilityEvents.HEARTBEAT_SECONDS
              + " s. The stream ends after "
              + ReachabilityEvents.SUBSCRIPTION_MINUTES
              + " minutes\n"
              + "(EventSource clients reconnect by themselves). A client that stops reading delays"
              + " no other;\n"
              + "it is dropped once "
              + ReachabilityEvents.MAX_QUEUED
              + " messages wait for it.")
  @ApiResponse(
      responseCode = "200",
      description = "The event stream; each event's `data` is a VerdictEvent.",
      content =
          @Content(
              mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
              schema = @Schema(implementation = VerdictEvent.class)))
  @ApiResponse(
      responseCode = "503",
      description =
          "As many subscribers as the stream takes ("
              + ReachabilityEvents.MAX_SUBSCRIBERS
              + ") are connected.",
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  @ApiResponse(
      responseCode = "429",
      description =
          "This client (its API key, or its IP address without one; admins are not counted) has "
              + ReachabilityEvents.MAX_SUBSCRIBERS_PER_CLIENT
              + " event streams open already; other clients are not affected.",
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  SseEmitter events(
      @Parameter(hidden = true) @AuthenticationPrincipal @Nullable ApiClient client,
      HttpServletRequest request) {
    monitor();
    ReachabilityEvents stream = Objects.requireNonNull(events, "events exist with the monitor");
    // an admin (an admin key, the local caller while no key is configured) is trusted with any
    // number; another identified client is its key; anyone else is counted by address
    @Nullable String counted =
        client == null
            ? "ip " + request.getRemoteAddr()
            : client.admin() ? null : "key " + client.name();
    return stream.subscribe(counted);
  }

  private ReachabilityMonitor monitor() {
    if (monitor == null) {
      throw new MonitorDisabledException();
    }
    return monitor;
  }

  /**
   * Ends every event stream as soon as the context starts closing: the web server's graceful
   * shutdown would otherwise wait its whole timeout for these never-ending requests.
   */
  @EventListener(ContextClosedEvent.class)
  void closing() {
    destroy();
  }

  @Override
  public void destroy() {
    if (events != null) {
      events.close();
    }
  }
}
