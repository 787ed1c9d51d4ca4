package io.reachability.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The per-address decisions with an injected clock: when to probe, pause and give a verdict, and
 * the timing rules.
 */
class AddressStateTest {

  private static final Multiaddr ADDRESS = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001");
  private static final Multiaddr SECONDARY = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001/ws");
  private static final Duration STEP = Duration.ofSeconds(1);

  private final MutableClock clock = new MutableClock();
  private final MonitorSettings settings = MonitorSettings.DEFAULTS;

  private static Multiaddr server(int i) {
    return Multiaddr.fromString("/ip4/203.0.113." + i + "/tcp/4001");
  }

  /**
   * Feeds outcomes written as S (success), F (failure), R (refused), E (error), one second apart.
   */
  private AddressState fed(AddressState state, String outcomes) {
    int i = 0;
    for (char c : outcomes.toCharArray()) {
      ProbeOutcome outcome =
          switch (c) {
            case 'S' -> ProbeOutcome.SUCCESS;
            case 'F' -> ProbeOutcome.FAILURE;
            case 'R' -> ProbeOutcome.REFUSED;
            case 'E' -> ProbeOutcome.ERROR;
            default -> throw new IllegalArgumentException("outcome " + c);
          };
      Multiaddr server = server(++i);
      state.probeStarted(server, clock.instant());
      state.probeEnded(server);
      state.record(new ProbeRecord(clock.instant(), server, outcome));
      clock.advance(STEP);
    }
    state.prune(clock.instant());
    return state;
  }

  private AddressState fed(String outcomes) {
    return fed(new AddressState(ADDRESS, settings), outcomes);
  }

  @ParameterizedTest(name = "{0} -> {1} more, {2}")
  @CsvSource({
    "'',       3, UNKNOWN",
    "S,        2, UNKNOWN",
    "SS,       1, REACHABLE",
    "SSS,      0, REACHABLE",
    "SSSSSSSF, 1, REACHABLE",
    "SFSFSSSS, 0, REACHABLE",
    "SSSSSFSF, 2, UNKNOWN",
    "FF,       1, UNREACHABLE",
    "FFF,      0, UNREACHABLE",
    "F,        2, UNKNOWN",
    "SF,       3, UNKNOWN",
    "FFFFFFFS, 1, UNREACHABLE",
    "SSE,      1, REACHABLE",
  })
  void decisionTable(String outcomes, int needed, Reachability verdict) {
    AddressState state = fed(outcomes);
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(needed);
    assertThat(state.verdict()).isEqualTo(verdict);
  }

  @Test
  void theWindowKeepsTheLastFiveOutcomes() {
    AddressState state = fed("FFFFFSSSSS");
    assertThat(state.window())
        .hasSize(settings.windowSize())
        .allMatch(r -> r.outcome() == ProbeOutcome.SUCCESS);
    assertThat(state.verdict()).isEqualTo(Reachability.REACHABLE);
  }

  @Test
  void outcomesExpireAfterTheirTtl() {
    AddressState state = fed("SSS");
    Instant first = state.window().get(0).at();
    assertThat(state.nextChange(clock.instant()))
        .isEqualTo(first.plus(settings.reprobeInterval().plusSeconds(2)));

    clock.advance(settings.outcomeTtl());
    state.prune(clock.instant());

    assertThat(state.window()).isEmpty();
    assertThat(state.verdict()).isEqualTo(Reachability.UNKNOWN);
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(settings.targetConfidence());
    assertThat(state.history()).hasSize(3); // history outlives the window
  }

  @Test
  void aConfirmedAddressIsProbedAgainAfterTheReprobeInterval() {
    AddressState state = fed("SSS");
    Instant newest = state.window().get(2).at();
    assertThat(state.probesNeeded(clock.instant())).isZero();
    assertThat(state.nextChange(clock.instant()))
        .isEqualTo(newest.plus(settings.reprobeInterval()));

    clock.advance(
        Duration.between(clock.instant(), newest.plus(settings.reprobeInterval())).minusMillis(1));
    state.prune(clock.instant());
    assertThat(state.probesNeeded(clock.instant())).isZero();

    clock.advance(Duration.ofMillis(1));
    state.prune(clock.instant());
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(1);
    assertThat(state.verdict())
        .isEqualTo(Reachability.REACHABLE); // still, until outcomes say otherwise
  }

  @Test
  void aSecondaryIsProbedAgainOnlyAfterTheLongerInterval() {
    AddressState primary = fed("SSS");
    AddressState secondary = new AddressState(SECONDARY, settings);
    secondary.primary(primary);
    assertThat(secondary.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(secondary.probesNeeded(clock.instant())).isZero();

    // an unreachable primary decides nothing for its secondaries
    AddressState unreachable = fed("FFF");
    AddressState other = new AddressState(SECONDARY, settings);
    other.primary(unreachable);
    assertThat(other.verdict()).isEqualTo(Reachability.UNKNOWN);
    assertThat(other.probesNeeded(clock.instant())).isEqualTo(3);

    fed(other, "SSS");
    Instant newest = other.window().get(2).at();
    assertThat(other.nextChange(clock.instant()))
        .isEqualTo(newest.plus(settings.secondaryReprobeInterval()));
  }

  @Test
  void fiveRefusalsInARowPauseTheAddressForTenMinutes() {
    AddressState state = fed("RRRR");
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(3);

    fed(state, "R");
    Instant lastRefusal = clock.instant().minus(STEP);
    assertThat(state.probesNeeded(clock.instant())).isZero();
    assertThat(state.nextChange(clock.instant()))
        .isEqualTo(lastRefusal.plus(settings.refusalPause()));

    clock.advance(Duration.between(clock.instant(), lastRefusal.plus(settings.refusalPause())));
    state.prune(clock.instant());
    assertThat(state.consecutiveRefusals()).isZero();
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(3);
  }

  @Test
  void anOutcomeEndsARunOfRefusals() {
    AddressState state = fed("RRRRSRRRR");
    assertThat(state.consecutiveRefusals()).isEqualTo(4);
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(2);
  }

  @Test
  void atMostTenProbesPerAddressPerTenMinutes() {
    AddressState state = fed("SFSFSFSFSF");
    assertThat(state.rateLimited()).isTrue();
    assertThat(state.probesNeeded(clock.instant())).isZero();
    Instant firstProbe = clock.instant().minus(STEP.multipliedBy(10));
    assertThat(state.nextChange(clock.instant()))
        .isEqualTo(firstProbe.plus(settings.probeRateWindow()));

    clock.advance(Duration.between(clock.instant(), firstProbe.plus(settings.probeRateWindow())));
    state.prune(clock.instant());
    assertThat(state.rateLimited()).isFalse();
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(2); // window FSFSF: confidence 1
  }

  @Test
  void probesInFlightCountAgainstTheProbesToSend() {
    AddressState state = new AddressState(ADDRESS, settings);
    state.probeStarted(server(1), clock.instant());
    state.probeStarted(server(2), clock.instant());
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(3);
    assertThat(state.probesToSend(clock.instant())).isEqualTo(1);
    assertThat(state.inFlight()).containsExactlyInAnyOrder(server(1), server(2));
    state.probeEnded(server(1));
    assertThat(state.probesToSend(clock.instant())).isEqualTo(2);
  }

  @Test
  void anAnswerFromElsewhereNeverCountsButADisagreeingOneAsksForOneProbePerRateWindow() {
    AddressState state = fed("SSS");
    Instant lastProbe = state.lastProbeAt();
    assertThat(state.probesNeeded(clock.instant())).isZero();
    // agreeing, refused or failed answers say nothing new
    assertThat(state.requestReprobe(ProbeOutcome.SUCCESS, clock.instant())).isFalse();
    assertThat(state.requestReprobe(ProbeOutcome.REFUSED, clock.instant())).isFalse();
    assertThat(state.requestReprobe(ProbeOutcome.ERROR, clock.instant())).isFalse();

    // a disagreeing one: one probe of the monitor's own, asked for once
    assertThat(state.requestReprobe(ProbeOutcome.FAILURE, clock.instant())).isTrue();
    assertThat(state.requestReprobe(ProbeOutcome.FAILURE, clock.instant())).isFalse();
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(1);
    assertThat(state.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(state.successes()).isEqualTo(3);
    assertThat(state.failures()).isZero();
    assertThat(state.history()).hasSize(3);
    assertThat(state.lastProbeAt()).isEqualTo(lastProbe);

    // the probe goes out and answers: the request is spent
    fed(state, "S");
    assertThat(state.probesNeeded(clock.instant())).isZero();

    // another within the probe-rate window (counted from the request) asks for nothing
    clock.advance(settings.probeRateWindow().minus(STEP.multipliedBy(2)));
    assertThat(state.requestReprobe(ProbeOutcome.FAILURE, clock.instant())).isFalse();
    clock.advance(STEP);
    assertThat(state.requestReprobe(ProbeOutcome.FAILURE, clock.instant())).isTrue();
  }

  @Test
  void aRequestedProbeStaysWithinTheBudget() {
    AddressState state = fed("S".repeat(settings.maxProbesPerAddress()));
    assertThat(state.rateLimited()).isTrue();
    assertThat(state.requestReprobe(ProbeOutcome.FAILURE, clock.instant())).isTrue();
    assertThat(state.probesNeeded(clock.instant())).isZero();
    clock.advance(settings.probeRateWindow());
    state.prune(clock.instant());
    assertThat(state.probesNeeded(clock.instant())).isEqualTo(1);
  }

  @Test
  void anAddressWithoutAVerdictAsksOnlyWhenNoProbeIsOut() {
    AddressState state = new AddressState(ADDRESS, settings);
    state.probeStarted(server(1), clock.instant());
    // the probe in flight will tell
    assertThat(state.requestReprobe(ProbeOutcome.SUCCESS, clock.instant())).isFalse();
    state.probeEnded(server(1));
    state.record(new ProbeRecord(clock.instant(), server(1), ProbeOutcome.ERROR));
    assertThat(state.requestReprobe(ProbeOutcome.SUCCESS, clock.instant())).isTrue();
    assertThat(state.verdict()).isEqualTo(Reachability.UNKNOWN);
    assertThat(state.successes()).isZero();
  }
}
