package io.reachability.libp2p.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How DNS multiaddrs are resolved, and the bounds on it.
 *
 * @param servers name servers to ask, in order; empty = the system's ({@code /etc/resolv.conf}: its
 *     name servers, search domains, ndots; {@code /etc/hosts} is read either way)
 * @param queryTimeout how long one DNS query may take (retries to further servers included)
 * @param maxDepth how deep {@code /dnsaddr} records may nest ({@code /dnsaddr} naming {@code
 *     /dnsaddr} …); the public bootstrap list nests two deep
 * @param maxLookups DNS lookups one resolution may make in all, so that a zone with many records at
 *     every level cannot turn one address into thousands of queries
 * @param maxAddresses addresses one resolution yields at most (the rest are dropped)
 * @param maxTtl records are kept no longer than this, whatever TTL they carry
 * @param negativeTtl how long a name that does not exist (or has no such record) is remembered
 * @param maxCachedNames TXT record sets kept at once (address records are cached by the resolver,
 *     each no longer than {@code maxTtl})
 */
public record DnsSettings(
    List<InetSocketAddress> servers,
    Duration queryTimeout,
    int maxDepth,
    int maxLookups,
    int maxAddresses,
    Duration maxTtl,
    Duration negativeTtl,
    int maxCachedNames) {

  /** The port of a name server given without one. */
  public static final int DNS_PORT = 53;

  /** glibc's default resolver timeout (5 s) applies to one query. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);

  /** Two more than the public bootstrap list needs. */
  public static final int DEFAULT_MAX_DEPTH = 4;

  /** The bootstrap list takes 1 + its servers' count (about a dozen). */
  public static final int DEFAULT_MAX_LOOKUPS = 32;

  /** As many addresses as a peer usefully has, and more than the bootstrap list yields. */
  public static final int DEFAULT_MAX_ADDRESSES = 32;

  /** An hour: a record that changes is seen within it, whatever its own TTL says. */
  public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);

  /** Long enough that a missing name is not asked for on every dial, short enough to recover. */
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);

  /** Far more names than a pool and its bootstrap list need. */
  public static final int DEFAULT_MAX_CACHED_NAMES = 1024;

  public DnsSettings {
    servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
    Objects.requireNonNull(queryTimeout, "queryTimeout");
    Objects.requireNonNull(maxTtl, "maxTtl");
    Objects.requireNonNull(negativeTtl, "negativeTtl");
    if (queryTimeout.isNegative() || queryTimeout.isZero()) {
      throw new IllegalArgumentException("queryTimeout must be positive, was " + queryTimeout);
    }
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth must be at least 1, was " + maxDepth);
    }
    if (maxLookups < 1) {
      throw new IllegalArgumentException("maxLookups must be at least 1, was " + maxLookups);
    }
    if (maxAddresses < 1) {
      throw new IllegalArgumentException("maxAddresses must be at least 1, was " + maxAddresses);
    }
    if (maxTtl.isNegative() || negativeTtl.isNegative()) {
      throw new IllegalArgumentException("maxTtl and negativeTtl must not be negative");
    }
    if (maxCachedNames < 0) {
      throw new IllegalArgumentException(
          "maxCachedNames must not be negative, was " + maxCachedNames);
    }
  }

  public static DnsSettings defaults() {
    return new Builder().build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings one by one, from the defaults; {@link #build()} checks them all at once. */
  public static final class Builder {
    private List<InetSocketAddress> servers = List.of();
    private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private int maxLookups = DEFAULT_MAX_LOOKUPS;
    private int maxAddresses = DEFAULT_MAX_ADDRESSES;
    private Duration maxTtl = DEFAULT_MAX_TTL;
    private Duration negativeTtl = DEFAULT_NEGATIVE_TTL;
    private int maxCachedNames = DEFAULT_MAX_CACHED_NAMES;

    /** From the defaults. */
    public Builder() {}

    private Builder(DnsSettings from) {
      servers = from.servers;
      queryTimeout = from.queryTimeout;
      maxDepth = from.maxDepth;
      maxLookups = from.maxLookups;
      maxAddresses = from.maxAddresses;
      maxTtl = from.maxTtl;
      negativeTtl = from.negativeTtl;
      maxCachedNames = from.maxCachedNames;
    }

    public Builder servers(List<InetSocketAddress> value) {
      servers = value;
      return this;
    }

    public Builder queryTimeout(Duration value) {
      queryTimeout = value;
      return this;
    }

    public Builder maxDepth(int value) {
      maxDepth = value;
      return this;
    }

    public Builder maxLookups(int value) {
      maxLookups = value;
      return this;
    }

    public Builder maxAddresses(int value) {
      maxAddresses = value;
      return this;
    }

    public Builder maxTtl(Duration value) {
      maxTtl = value;
      return this;
    }

    public Builder negativeTtl(Duration value) {
      negativeTtl = value;
      return this;
    }

    public Builder maxCachedNames(int value) {
      maxCachedNames = value;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first bad value. */
    public DnsSettings build() {
      return new DnsSettings(
          servers,
          queryTimeout,
          maxDepth,
          maxLookups,
          maxAddresses,
          maxTtl,
          negativeTtl,
          maxCachedNames);
    }
  }

  /** These settings asking {@code nameServers} instead of the system's. */
  public DnsSettings withServers(List<InetSocketAddress> nameServers) {
    return toBuilder().servers(nameServers).build();
  }
}
