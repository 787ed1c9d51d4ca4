package io.reachability.peercheck;

import io.reachability.autonat.AddressClass;
import io.reachability.job.FieldError;
import io.reachability.job.InvalidCheckRequestException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Checks a {@link PeerCheckSubmission} before a peer check is created: every problem is reported at
 * once, as field errors naming the field, the value and the rule. DNS addresses are resolved here,
 * all at once within {@link PeerChecks#RESOLUTION_TIMEOUT}, and judged by what they resolve to:
 * that is what is dialed later, so a name cannot point somewhere else in between.
 */
public final class PeerCheckValidator {

  static final String NOT_A_PEER =
      "not a peer id (12D3KooW…, Qm…) or a multiaddr ending in /p2p/<peer id>";

  /** Resolved addresses named in an error at most. */
  private static final int MAX_SHOWN = 5;

  private final PeerCheckSettings settings;
  private final TargetRules rules;
  private final Function<Multiaddr, CompletableFuture<List<Multiaddr>>> resolver;

  /**
   * @param resolver what a DNS address stands for ({@code Host::resolve})
   */
  public PeerCheckValidator(
      PeerCheckSettings settings,
      TargetRules rules,
      Function<Multiaddr, CompletableFuture<List<Multiaddr>>> resolver) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /**
   * Checks a submission against the limits and the target rules.
   *
   * @throws InvalidCheckRequestException with every field error found
   */
  public PeerCheckRequest validate(PeerCheckSubmission submission) {
    List<FieldError> errors = new ArrayList<>();
    List<Named> named = new ArrayList<>();
    PeerId peer = peer(submission.peer(), named, errors);
    List<@Nullable String> values = submission.addresses();
    if (values != null && values.size() + named.size() > settings.maxAddresses()) {
      errors.add(
          new FieldError(
              "addresses",
              values.size() + " addresses",
              "at most "
                  + settings.maxAddresses()
                  + " addresses per peer check (reach.peer-checks.max-addresses), the one in"
                  + " `peer` included"));
    } else if (values != null) {
      for (int i = 0; i < values.size(); i++) {
        String field = "addresses[" + i + "]";
        String value = values.get(i);
        Multiaddr address = parseAddress(field, value, errors);
        if (address != null) {
          named.add(new Named(field, Objects.requireNonNull(value), address));
        }
      }
    }
    List<PeerAddress> addresses = judge(peer, named, errors); // fields in their order
    Integer seconds = submission.timeoutSeconds();
    if (seconds != null && (seconds < 1 || seconds > PeerChecks.MAX_TIMEOUT_SECONDS)) {
      errors.add(
          new FieldError(
              "timeoutSeconds",
              seconds.toString(),
              "must be in [1, "
                  + PeerChecks.MAX_TIMEOUT_SECONDS
                  + "] (absent = reach.peer-checks.default-timeout, default "
                  + PeerChecks.DEFAULT_TIMEOUT.toSeconds()
                  + " s)"));
    }
    if (!errors.isEmpty() || peer == null) {
      // in the order of the fields: resolution errors are found last
      errors.sort(Comparator.comparingInt(PeerCheckValidator::fieldRank));
      throw new InvalidCheckRequestException(errors);
    }
    return new PeerCheckRequest(
        peer, addresses, seconds == null ? null : Duration.ofSeconds(seconds));
  }

  /** Where a field's errors go in the list: {@code peer}, the addresses in order, the rest. */
  private static int fieldRank(FieldError error) {
    String field = error.field();
    if (field.equals("peer")) {
      return 0;
    }
    if (field.startsWith("addresses[")) {
      return 2 + Integer.parseInt(field.substring("addresses[".length(), field.length() - 1));
    }
    return field.equals("addresses") ? 1 : Integer.MAX_VALUE;
  }

  /** An address as named in a field. */
  private record Named(String field, String value, Multiaddr address) {}

  private static @Nullable PeerId peer(
      @Nullable String value, List<Named> named, List<FieldError> errors) {
    if (value == null || value.isBlank()) {
      errors.add(new FieldError("peer", value, "required: " + NOT_A_PEER));
      return null;
    }
    String text = value.trim();
    try {
      if (!text.startsWith("/")) {
        return PeerId.fromString(text);
      }
      Multiaddr address = Multiaddr.fromString(text);
      PeerId id = address.peerId().orElse(null);
      if (id == null) {
        errors.add(
            new FieldError("peer", value, "a multiaddr without /p2p/<peer id>: " + NOT_A_PEER));
        return null;
      }
      if (!address.withoutPeerId().components().isEmpty()) {
        named.add(new Named("peer", value, address));
      }
      return id;
    } catch (RuntimeException e) {
      errors.add(new FieldError("peer", value, NOT_A_PEER + ": " + e.getMessage()));
      return null;
    }
  }

  private static @Nullable Multiaddr parseAddress(
      String field, @Nullable String value, List<FieldError> errors) {
    if (value == null || value.isBlank()) {
      errors.add(new FieldError(field, value, "not a multiaddr: empty"));
      return null;
    }
    try {
      return Multiaddr.fromString(value.trim());
    } catch (RuntimeException e) {
      errors.add(new FieldError(field, value, "not a multiaddr: " + e.getMessage()));
      return null;
    }
  }

  /** Every named address judged, DNS names resolved (all at once) and judged by what they are. */
  private List<PeerAddress> judge(
      @Nullable PeerId peer, List<Named> named, List<FieldError> errors) {
    List<Named> fine = new ArrayList<>();
    for (Named address : named) {
      String problem = rules.problem(address.address(), peer);
      if (problem != null) {
        errors.add(new FieldError(address.field(), address.value(), problem));
      } else {
        fine.add(address);
      }
    }
    if (peer == null) {
      return List.of(); // nothing will be dialed: no name is worth resolving
    }
    List<CompletableFuture<List<Multiaddr>>> resolutions = new ArrayList<>();
    for (Named address : fine) {
      Multiaddr plain = address.address().withoutPeerId();
      // with the peer's id: a /dnsaddr domain may list other peers too
      Multiaddr given = address.address();
      resolutions.add(
          plain.isDns()
              ? resolver.apply(given.peerId().isPresent() ? given : given.withPeerId(peer))
              : CompletableFuture.completedFuture(List.of(plain)));
    }
    long deadline = System.nanoTime() + PeerChecks.RESOLUTION_TIMEOUT.toNanos();
    List<PeerAddress> result = new ArrayList<>();
    Set<Multiaddr> dialed = new HashSet<>();
    for (int i = 0; i < fine.size(); i++) {
      Named address = fine.get(i);
      Multiaddr plain = address.address().withoutPeerId();
      List<Multiaddr> resolved;
      try {
        resolved =
            resolutions.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        errors.add(
            new FieldError(
                address.field(), address.value(), "cannot be resolved: " + cause.getMessage()));
        continue;
      } catch (TimeoutException e) {
        resolutions.get(i).cancel(true);
        errors.add(
            new FieldError(
                address.field(),
                address.value(),
                "not resolved within " + PeerChecks.RESOLUTION_TIMEOUT.toSeconds() + " s"));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        errors.add(new FieldError(address.field(), address.value(), "resolution interrupted"));
        continue;
      }
      if (!plain.isDns()) {
        if (dialed.add(plain)) {
          result.add(PeerAddress.dialed(plain, AddressSource.REQUEST, null));
        }
        continue;
      }
      String refused = refusedAfterResolution(peer, resolved);
      if (refused != null) {
        errors.add(new FieldError(address.field(), address.value(), refused));
        continue;
      }
      for (Multiaddr one : resolved) {
        if (dialed.add(one.withoutPeerId())) { // two names for one address: dialed once
          result.add(PeerAddress.dialed(one.withoutPeerId(), AddressSource.REQUEST, plain));
        }
      }
    }
    Map<String, Integer> perIp = new HashMap<>();
    for (PeerAddress address : result) {
      String key = AddressClass.ip(address.address()).map(TargetRules::ipKey).orElse("");
      if (perIp.merge(key, 1, Integer::sum) == PeerChecks.MAX_ADDRESSES_PER_IP + 1) {
        errors.add(new FieldError("addresses", key, PeerChecks.TOO_MANY_OF_ONE_IP));
      }
    }
    if (result.size() > settings.maxAddresses()) {
      errors.add(
          new FieldError(
              "addresses",
              result.size() + " addresses once resolved",
              "at most "
                  + settings.maxAddresses()
                  + " addresses per peer check (reach.peer-checks.max-addresses)"));
    }
    return List.copyOf(result);
  }

  /**
   * Why a name's resolution may not be dialed: it resolved to nothing, or to one address (any) that
   * a request could not have named itself (a name pointing at loopback is refused, not quietly
   * dropped).
   */
  private @Nullable String refusedAfterResolution(PeerId peer, List<Multiaddr> resolved) {
    if (resolved.isEmpty()) {
      return "resolves to no address";
    }
    for (Multiaddr one : resolved) {
      String problem = rules.problem(one, peer);
      if (problem != null) {
        return "resolves to "
            + resolved.stream().limit(MAX_SHOWN).map(Multiaddr::withoutPeerId).toList()
            + (resolved.size() > MAX_SHOWN ? " and " + (resolved.size() - MAX_SHOWN) + " more" : "")
            + "; "
            + one.withoutPeerId()
            + ": "
            + problem;
      }
    }
    return null;
  }
}
