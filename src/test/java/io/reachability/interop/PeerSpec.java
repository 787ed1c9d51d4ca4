package io.reachability.interop;

import io.reachability.testing.LoopbackHosts;
import java.util.ArrayList;
import java.util.List;

/**
 * What an interop peer runs, the same for every implementation: its listen addresses, its key type,
 * and which parts of their stock AutoNAT v2 it runs. {@link PeerImplementation#arguments} turns it
 * into that implementation's command line.
 *
 * @param listen listen multiaddrs
 * @param keyType the identity key type
 * @param autonatServer their stock AutoNAT v2 server ({@code /libp2p/autonat/2/dial-request})
 * @param autonatClient their stock AutoNAT v2 client ({@code /libp2p/autonat/2/dial-back})
 * @param allowPrivate the test switch that lets their AutoNAT v2 check and dial loopback addresses
 *     (go: {@code autonatv2.AllowPrivateAddrs}; js: the test-only patch; rust has no such check)
 * @param extraArgs further implementation-specific arguments, appended as they are
 */
public record PeerSpec(
    List<String> listen,
    KeyType keyType,
    boolean autonatServer,
    boolean autonatClient,
    boolean allowPrivate,
    List<String> extraArgs) {

  public PeerSpec {
    listen = List.copyOf(listen);
    extraArgs = List.copyOf(extraArgs);
  }

  /** A plain node (identify, ping, echo) on {@link LoopbackHosts#ANY_PORT} with an Ed25519 key. */
  public static PeerSpec node() {
    return new PeerSpec(
        List.of(LoopbackHosts.ANY_PORT), KeyType.ED25519, false, false, true, List.of());
  }

  /** A node running their stock AutoNAT v2 server, allowed to dial back loopback. */
  public static PeerSpec autonatServerNode() {
    return node().withAutonat(true, false);
  }

  /** A node running their stock AutoNAT v2 client, allowed to check loopback addresses. */
  public static PeerSpec autonatClientNode() {
    return node().withAutonat(false, true);
  }

  public PeerSpec withAutonat(boolean server, boolean client) {
    return new PeerSpec(listen, keyType, server, client, allowPrivate, extraArgs);
  }

  public PeerSpec withKeyType(KeyType type) {
    return new PeerSpec(listen, type, autonatServer, autonatClient, allowPrivate, extraArgs);
  }

  public PeerSpec withListen(List<String> addresses) {
    return new PeerSpec(addresses, keyType, autonatServer, autonatClient, allowPrivate, extraArgs);
  }

  /** Without the loopback switch: their AutoNAT v2 behaves exactly as published. */
  public PeerSpec withoutAllowPrivate() {
    return new PeerSpec(listen, keyType, autonatServer, autonatClient, false, extraArgs);
  }

  public PeerSpec withExtraArgs(List<String> args) {
    List<String> all = new ArrayList<>(extraArgs);
    all.addAll(args);
    return new PeerSpec(listen, keyType, autonatServer, autonatClient, allowPrivate, all);
  }
}
