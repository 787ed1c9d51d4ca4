package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.testing.LoopbackHosts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What identify announces as A's listen addresses, seen by B over a real connection: the interface
 * listen addresses, or what a filter makes of them at every request; a broken filter never breaks
 * identify.
 */
class AdvertisedAddressesTest {

  private static final long TIMEOUT_SECONDS = 20;
  private static final Multiaddr PUBLIC = Multiaddr.fromString("/ip4/203.0.113.7/tcp/4001");

  private Host a;
  private Host b;
  private Multiaddr loopback4;
  private Multiaddr loopback6;

  @BeforeEach
  void start() {
    a = LoopbackHosts.builder("advertised-a").listen("/ip6/::1/tcp/0").build().start();
    b = Host.builder().threadName("advertised-b").build().start();
    loopback4 = a.listenAddresses().get(0);
    loopback6 = a.listenAddresses().get(1);
  }

  @AfterEach
  void stop() {
    b.close();
    a.close();
  }

  /** B identifies A over a new connection (identify answers are cached per connection). */
  private List<Multiaddr> whatBHears() throws Exception {
    Connection connection = b.dial(loopback4).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    try {
      IdentifyResult aboutA = b.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return aboutA.listenAddresses();
    } finally {
      connection.close().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutAFilterIdentifyAnnouncesTheInterfaceListenAddresses() throws Exception {
    assertThat(a.interfaceListenAddresses()).containsExactly(loopback4, loopback6);
    assertThat(a.advertisedAddresses()).isEqualTo(a.interfaceListenAddresses());
    assertThat(whatBHears()).containsExactly(loopback4, loopback6);
  }

  @Test
  void aFilterDecidesExactlyWhatIdentifyAnnounces() throws Exception {
    a.setAdvertisedAddressesFilter(
        all -> {
          List<Multiaddr> result = new ArrayList<>(List.of(PUBLIC));
          all.stream().filter(address -> !address.equals(loopback6)).forEach(result::add);
          return result;
        });

    assertThat(whatBHears()).containsExactly(PUBLIC, loopback4);
    assertThat(a.advertisedAddresses()).containsExactly(PUBLIC, loopback4);
    // the unfiltered list stays what it was
    assertThat(a.interfaceListenAddresses()).containsExactly(loopback4, loopback6);
  }

  @Test
  void theFilterRunsAtEveryIdentifyRequestAndNullRemovesIt() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    a.setAdvertisedAddressesFilter(
        all -> calls.incrementAndGet() == 1 ? List.of(loopback6) : List.of(PUBLIC));

    assertThat(whatBHears()).containsExactly(loopback6);
    assertThat(whatBHears()).containsExactly(PUBLIC);
    assertThat(calls.get()).isEqualTo(2);

    a.setAdvertisedAddressesFilter(null);
    assertThat(whatBHears()).containsExactly(loopback4, loopback6);
  }

  @Test
  void aFilterThatThrowsFallsBackToTheUnfilteredList() throws Exception {
    a.setAdvertisedAddressesFilter(
        all -> {
          throw new IllegalStateException("filter bug (expected in this test)");
        });

    assertThat(whatBHears()).containsExactly(loopback4, loopback6);
    assertThat(whatBHears()).as("and again").containsExactly(loopback4, loopback6);
  }

  @Test
  void aFilterThatReturnsNullOrANullAddressFallsBackToTheUnfilteredList() throws Exception {
    a.setAdvertisedAddressesFilter(all -> null);
    assertThat(whatBHears()).containsExactly(loopback4, loopback6);

    a.setAdvertisedAddressesFilter(all -> Arrays.asList(PUBLIC, null));
    assertThat(whatBHears()).containsExactly(loopback4, loopback6);
  }

  @Test
  void anEmptyFilteredListAnnouncesNoAddress() throws Exception {
    a.setAdvertisedAddressesFilter(all -> List.of());
    assertThat(whatBHears()).isEmpty();
  }

  @Test
  void aFilteredListIsCutAtTheBound() throws Exception {
    List<Multiaddr> many =
        IntStream.range(0, Host.MAX_ADVERTISED_ADDRESSES + 5)
            .mapToObj(i -> Multiaddr.fromString("/ip4/203.0.113.7/tcp/" + (10_000 + i)))
            .toList();
    a.setAdvertisedAddressesFilter(all -> many);

    assertThat(whatBHears()).isEqualTo(many.subList(0, Host.MAX_ADVERTISED_ADDRESSES));
  }
}
