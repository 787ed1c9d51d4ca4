package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fan-out with replacement, driven by hand: no executor, no network, no clock. */
class AddressRoundTest {

  static final Multiaddr ADDRESS = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001");
  static final List<Multiaddr> SERVERS =
      List.of(server(1), server(2), server(3), server(4), server(5));

  static Multiaddr server(int n) {
    return Multiaddr.fromString("/ip4/127.0.0." + n + "/tcp/9000");
  }

  static Attempt answer(Multiaddr server, Reachability reachability) {
    return new Attempt(server, reachability, ResponseStatus.OK, null, false, null, 0, 5, null);
  }

  /** Asks every server the round wants now. */
  static List<AddressRound.Check> askAll(AddressRound round) {
    List<AddressRound.Check> asked = new ArrayList<>();
    while (round.wantsMore()) {
      asked.add(round.ask(0));
    }
    return asked;
  }

  @Test
  void asksAsManyServersAtOnceAsConfirmationsAreWanted() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS, 3);
    List<AddressRound.Check> asked = askAll(round);
    assertThat(asked).extracting(c -> c.server).containsExactly(server(1), server(2), server(3));
    assertThat(round.done()).isFalse();
  }

  @Test
  void replacesAnAnswerThatDecidesNothingWithTheNextServer() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS, 3);
    List<AddressRound.Check> asked = askAll(round);
    round.answer(asked.get(0), answer(server(1), Reachability.UNKNOWN));
    assertThat(round.wantsMore()).isTrue();
    assertThat(round.ask(0).server).isEqualTo(server(4));
    assertThat(round.wantsMore()).isFalse();
  }

  @Test
  void decidesOnceEnoughAnswersAgree() {
    AddressRound round = new AddressRound(ADDRESS, List.of("a warning"), SERVERS, 3);
    List<AddressRound.Check> asked = askAll(round);
    round.answer(asked.get(0), answer(server(1), Reachability.REACHABLE));
    round.answer(asked.get(1), answer(server(2), Reachability.UNREACHABLE));
    assertThat(round.done()).isFalse();
    round.answer(asked.get(2), answer(server(3), Reachability.REACHABLE));

    assertThat(round.done()).isTrue();
    AddressResult result = round.result();
    assertThat(result.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.warnings()).containsExactly("a warning");
    assertThat(result.attempts())
        .extracting(Attempt::server)
        .containsExactly(server(1), server(2), server(3));
  }

  @Test
  void endsUndecidedWhenTheServersRunOut() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS.subList(0, 2), 2);
    List<AddressRound.Check> asked = askAll(round);
    round.answer(asked.get(0), answer(server(1), Reachability.UNKNOWN));
    assertThat(round.wantsMore()).isFalse(); // nobody left to ask
    round.answer(asked.get(1), answer(server(2), Reachability.REACHABLE));

    assertThat(round.done()).isTrue();
    assertThat(round.result().verdict()).isEqualTo(Reachability.UNKNOWN);
  }

  @Test
  void ignoresAnAnswerNoLongerAwaited() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS, 1);
    AddressRound.Check check = round.ask(0);
    assertThat(round.answer(check, answer(server(1), Reachability.REACHABLE))).isTrue();
    assertThat(round.awaits(check)).isFalse();
    assertThat(round.answer(check, answer(server(1), Reachability.UNREACHABLE))).isFalse();
    assertThat(round.result().attempts()).hasSize(1);
    assertThat(round.result().verdict()).isEqualTo(Reachability.REACHABLE);
  }

  @Test
  void givingUpRecordsWhyForEveryCheckInFlight() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS, 2);
    List<AddressRound.Check> asked = askAll(round);
    round.answer(asked.get(0), answer(server(1), Reachability.REACHABLE));

    long later = Duration.ofSeconds(3).toNanos();
    assertThat(round.giveUp("no answer in time", later)).containsExactly(asked.get(1));

    AddressResult result = round.result();
    assertThat(result.verdict()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.attempts().get(1).error()).isEqualTo("no answer in time");
    assertThat(result.attempts().get(1).durationMs()).isEqualTo(3000);
    assertThat(round.answer(asked.get(1), answer(server(2), Reachability.REACHABLE))).isFalse();
  }

  @Test
  void givingUpSilentlyRecordsNothing() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS, 2);
    askAll(round);
    assertThat(round.giveUp(null, 0)).hasSize(2);
    assertThat(round.result().attempts()).isEmpty();
  }

  @Test
  void refusesToAskWhenNoServerIsWanted() {
    AddressRound round = new AddressRound(ADDRESS, List.of(), SERVERS.subList(0, 1), 1);
    round.ask(0);
    assertThatThrownBy(() -> round.ask(0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new AddressRound(ADDRESS, List.of(), SERVERS, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
