package io.reachability.job;

import io.reachability.autonat.AddressClass;
import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.multiformats.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Checks a {@link CheckSubmission} before a job is created: every problem is reported at once, as
 * field errors that name the field and the value.
 */
public final class CheckRequestValidator {

  /** Addresses per check: a server looks at no more than this many anyway. */
  public static final int MAX_ADDRESSES = AutonatV2.MAX_ADDRESSES_INSPECTED;

  /** Servers a request may name. */
  public static final int MAX_SERVERS = 50;

  static final String NOT_A_MULTIADDR = "not a multiaddr";
  static final String RELAYED =
      "a relayed (/p2p-circuit) address cannot be checked: the dial-back would reach the relay, not"
          + " the node";
  static final String NOT_TCP =
      "a transport the node cannot listen on: only TCP and QUIC-v1 over ip4/ip6"
          + " (/ip4|ip6/<address>/tcp/<port>, /ip4|ip6/<address>/udp/<port>/quic-v1) can be"
          + " checked";

  static final String NOT_OWN =
      "not an address of this node (one it listens on, announces or was observed at, or an IP it"
          + " has): only the node's own addresses can be checked (reach.access.allow-any-address"
          + " lifts this, for labs)";
  static final String NOT_IN_POOL =
      "not a server of the pool (GET /api/v1/servers lists them): reach.access.allow-any-server"
          + " lets a request name others";
  static final String NOT_PUBLIC_SERVER = "a server outside the pool must have a public address";

  /** The server addresses that can be dialed (a request's and the pool's). */
  public static final String SERVER_SHAPES =
      "only /ip4|ip6|dns|dns4|dns6/<address or name>/tcp/<port>/p2p/<peer id>,"
          + " /ip4|ip6|dns|dns4|dns6/<address or name>/udp/<port>/quic-v1/p2p/<peer id> and"
          + " /dnsaddr/<domain>/p2p/<peer id> servers can be dialed";

  /**
   * How long resolving the DNS name of a server outside the pool may hold a submission (the name is
   * resolved then, so that what is judged public is what is dialed).
   */
  public static final Duration SERVER_RESOLUTION_TIMEOUT = Duration.ofSeconds(10);

  /** Resolved addresses named in an error at most. */
  private static final int MAX_ADDRESSES_SHOWN = 5;

  /** What a server address stands for once its DNS name is resolved ({@code Host::resolve}). */
  @FunctionalInterface
  public interface ServerResolver {
    CompletableFuture<List<Multiaddr>> resolve(Multiaddr server);
  }

  /** Resolves nothing: a name stays a name, and is resolved when dialed. */
  private static final ServerResolver NO_RESOLUTION =
      server -> CompletableFuture.completedFuture(List.of(server));

  private final PeerId self;
  private final int maxDialDataBytes;
  private final CheckPolicy policy;
  private final ServerResolver resolver;

  /**
   * With no restriction on the servers and addresses a request names ({@link
   * CheckPolicy#UNRESTRICTED}).
   */
  public CheckRequestValidator(PeerId self, int maxDialDataBytes) {
    this(self, maxDialDataBytes, CheckPolicy.UNRESTRICTED);
  }

  /**
   * @param self the node's peer id: an address may end in {@code /p2p/<self>}, never in another's
   * @param maxDialDataBytes the client's cap; a request may lower it, not raise it
   * @param policy which servers and addresses a request may name
   */
  public CheckRequestValidator(PeerId self, int maxDialDataBytes, CheckPolicy policy) {
    this(self, maxDialDataBytes, policy, NO_RESOLUTION);
  }

  /**
   * @param resolver resolves the DNS name of a server outside the pool, when the policy wants it
   *     public: it is judged (and then dialed) by the addresses the name resolves to
   */
  public CheckRequestValidator(
      PeerId self, int maxDialDataBytes, CheckPolicy policy, ServerResolver resolver) {
    this.self = Objects.requireNonNull(self, "self");
    this.maxDialDataBytes = maxDialDataBytes;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /**
   * Checks a submission against the limits and the policy.
   *
   * @throws InvalidCheckRequestException with every field error found
   */
  public CheckRequest validate(CheckSubmission submission) {
    List<FieldError> errors = new ArrayList<>();
    List<Multiaddr> addresses = addresses(submission.addresses(), errors);
    List<Multiaddr> servers = servers(submission.servers(), errors);
    Integer confirmations = submission.confirmations();
    if (confirmations != null
        && (confirmations < 1 || confirmations > JobSettings.MAX_CONFIRMATIONS)) {
      errors.add(
          new FieldError(
              "confirmations",
              confirmations.toString(),
              "must be in [1, " + JobSettings.MAX_CONFIRMATIONS + "]"));
    }
    Integer seconds = submission.timeoutSeconds();
    if (seconds != null && (seconds < 1 || seconds > JobSettings.MAX_TIMEOUT.toSeconds())) {
      errors.add(
          new FieldError(
              "timeoutSeconds",
              seconds.toString(),
              "must be in [1, "
                  + JobSettings.MAX_TIMEOUT.toSeconds()
                  + "] (absent = reach.jobs.default-timeout, default "
                  + JobSettings.DEFAULT_TIMEOUT.toSeconds()
                  + " s)"));
    }
    Integer dialData = submission.maxDialDataBytes();
    if (dialData != null && (dialData < 0 || dialData > maxDialDataBytes)) {
      errors.add(
          new FieldError(
              "maxDialDataBytes",
              dialData.toString(),
              "must be in [0, " + maxDialDataBytes + "] (reach.client.max-dial-data-bytes)"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidCheckRequestException(errors);
    }
    return new CheckRequest(
        addresses,
        servers,
        confirmations,
        seconds == null ? null : Duration.ofSeconds(seconds),
        dialData);
  }

  private List<Multiaddr> addresses(@Nullable List<String> values, List<FieldError> errors) {
    if (values == null) {
      return List.of();
    }
    if (values.size() > MAX_ADDRESSES) {
      errors.add(
          new FieldError(
              "addresses",
              values.size() + " addresses",
              "at most " + MAX_ADDRESSES + " addresses per check"));
      return List.of();
    }
    Set<InetAddress> nodeIps = policy.anyAddress() ? Set.of() : policy.nodeIps().get();
    Set<Multiaddr> result = new LinkedHashSet<>();
    for (int i = 0; i < values.size(); i++) {
      String field = "addresses[" + i + "]";
      String value = values.get(i);
      Multiaddr address = parse(field, value, errors);
      if (address == null) {
        continue;
      }
      String problem = addressProblem(address);
      if (problem == null
          && !policy.anyAddress()
          && !AddressClass.ip(address).map(nodeIps::contains).orElse(false)) {
        problem = NOT_OWN;
      }
      if (problem != null) {
        errors.add(new FieldError(field, value, problem));
      } else {
        result.add(address.withoutPeerId()); // duplicates are checked once
      }
    }
    return List.copyOf(result);
  }

  /** Why {@code address} cannot be checked; null when it can. */
  public @Nullable String addressProblem(Multiaddr address) {
    if (address.has(Protocol.P2P_CIRCUIT)) {
      return RELAYED;
    }
    if (address.toIpSocketAddress().isEmpty()) {
      return NOT_TCP;
    }
    PeerId peer = address.peerId().orElse(self);
    if (!peer.equals(self)) {
      return "names another peer (" + peer + "); only the node's own addresses can be checked";
    }
    return undialable(address);
  }

  /**
   * Why no server could ever dial {@code address} (a TCP or QUIC address over ip4/ip6); null when
   * one may. Such a check could only end UNKNOWN, or worse, make a server dial itself.
   */
  public static @Nullable String undialable(Multiaddr address) {
    if (address.has(Protocol.IP6ZONE)) {
      return "a zoned IPv6 address (/ip6zone) is link-local: no server elsewhere can dial it";
    }
    InetSocketAddress socket = address.withoutPeerId().toIpSocketAddress().orElseThrow();
    if (socket.getPort() == 0) {
      return "port 0 cannot be dialed";
    }
    InetAddress ip = socket.getAddress();
    if (ip.isAnyLocalAddress()) {
      return "an unspecified address (0.0.0.0, ::) cannot be dialed: name the address itself";
    }
    if (ip.isMulticastAddress() || Arrays.equals(ip.getAddress(), BROADCAST)) {
      return "a multicast or broadcast address cannot be dialed";
    }
    return null;
  }

  private static final byte[] BROADCAST = {(byte) 255, (byte) 255, (byte) 255, (byte) 255};

  private List<Multiaddr> servers(@Nullable List<String> values, List<FieldError> errors) {
    if (values == null) {
      return List.of();
    }
    if (values.size() > MAX_SERVERS) {
      errors.add(
          new FieldError(
              "servers",
              values.size() + " servers",
              "at most " + MAX_SERVERS + " servers per check"));
      return List.of();
    }
    Collection<Multiaddr> pool =
        policy.servers() == CheckPolicy.ServerRule.ANY ? List.of() : policy.pool().get();
    Set<Multiaddr> result = new LinkedHashSet<>();
    for (int i = 0; i < values.size(); i++) {
      String field = "servers[" + i + "]";
      String value = values.get(i);
      Multiaddr server = parse(field, value, errors);
      if (server == null) {
        continue;
      }
      String problem = serverProblem(server, pool);
      if (problem == null && server.isDns() && mustBePublic(server, pool)) {
        // judged by what the name resolves to now, and that is what is dialed: a name cannot
        // turn to a private address between the check and the dial
        Resolved resolved = resolvePublic(server);
        problem = resolved.problem();
        server = resolved.address();
      }
      if (problem != null) {
        errors.add(new FieldError(field, value, problem));
      } else {
        result.add(server);
      }
    }
    return List.copyOf(result);
  }

  /** Why {@code server} cannot be asked; null when it can. */
  private @Nullable String serverProblem(Multiaddr server, Collection<Multiaddr> pool) {
    if (server.peerId().isEmpty()) {
      return "a server address must end in /p2p/<peer id>";
    }
    if (!server.hasDialableShape()) {
      return SERVER_SHAPES;
    }
    if (server.peerId().get().equals(self)) {
      return "the node cannot check itself";
    }
    if (!server.isDns()) {
      String undialable = undialable(server);
      if (undialable != null) {
        return undialable;
      }
    }
    if (policy.servers() == CheckPolicy.ServerRule.ANY || pool.contains(server)) {
      return null;
    }
    if (policy.servers() == CheckPolicy.ServerRule.POOL) {
      return NOT_IN_POOL;
    }
    // a name is judged once resolved (resolvePublic)
    return server.isDns() || AddressClass.isPublic(server) ? null : NOT_PUBLIC_SERVER;
  }

  private boolean mustBePublic(Multiaddr server, Collection<Multiaddr> pool) {
    return policy.servers() == CheckPolicy.ServerRule.POOL_OR_PUBLIC && !pool.contains(server);
  }

  /** A server's name resolved: the first public address it stands for, or why there is none. */
  private record Resolved(Multiaddr address, @Nullable String problem) {}

  private Resolved resolvePublic(Multiaddr server) {
    List<Multiaddr> found;
    try {
      found =
          resolver.resolve(server).get(SERVER_RESOLUTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Resolved(server, "cannot be resolved: " + cause.getMessage());
    } catch (TimeoutException e) {
      return new Resolved(
          server, "not resolved within " + SERVER_RESOLUTION_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Resolved(server, "resolution interrupted");
    }
    PeerId id = server.peerId().orElseThrow();
    for (Multiaddr address : found) {
      if (!address.peerId().map(id::equals).orElse(true)) {
        continue;
      }
      Multiaddr named = address.withPeerId(id);
      if (named.toIpSocketAddress().isPresent()
          && undialable(named) == null
          && AddressClass.isPublic(named)) {
        return new Resolved(named, null);
      }
    }
    return new Resolved(
        server,
        NOT_PUBLIC_SERVER
            + " ("
            + server.withoutPeerId()
            + " resolves to "
            + found.stream().limit(MAX_ADDRESSES_SHOWN).map(Multiaddr::withoutPeerId).toList()
            + (found.size() > MAX_ADDRESSES_SHOWN
                ? " and " + (found.size() - MAX_ADDRESSES_SHOWN) + " more"
                : "")
            + ")");
  }

  private static @Nullable Multiaddr parse(
      String field, @Nullable String value, List<FieldError> errors) {
    if (value == null || value.isBlank()) {
      errors.add(new FieldError(field, value, NOT_A_MULTIADDR + ": empty"));
      return null;
    }
    try {
      return Multiaddr.fromString(value.trim());
    } catch (RuntimeException e) {
      errors.add(new FieldError(field, value, NOT_A_MULTIADDR + ": " + e.getMessage()));
      return null;
    }
  }
}
