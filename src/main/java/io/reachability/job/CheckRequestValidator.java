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

  private final PeerId self;
  private final int maxDialDataBytes;
  private final CheckPolicy policy;

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
    this.self = Objects.requireNonNull(self, "self");
    this.maxDialDataBytes = maxDialDataBytes;
    this.policy = Objects.requireNonNull(policy, "policy");
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
  static @Nullable String undialable(Multiaddr address) {
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
    if (server.toIpSocketAddress().isEmpty()) {
      return "only /ip4|ip6/<address>/tcp/<port>/p2p/<peer id> and"
          + " /ip4|ip6/<address>/udp/<port>/quic-v1/p2p/<peer id> servers can be dialed";
    }
    if (server.peerId().get().equals(self)) {
      return "the node cannot check itself";
    }
    String undialable = undialable(server);
    if (undialable != null) {
      return undialable;
    }
    if (policy.servers() == CheckPolicy.ServerRule.ANY || pool.contains(server)) {
      return null;
    }
    if (policy.servers() == CheckPolicy.ServerRule.POOL) {
      return NOT_IN_POOL;
    }
    return AddressClass.isPublic(server) ? null : NOT_PUBLIC_SERVER;
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
