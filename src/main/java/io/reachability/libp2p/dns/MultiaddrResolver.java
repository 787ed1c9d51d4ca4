package io.reachability.libp2p.dns;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Protocol;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Resolves DNS multiaddrs into addresses that can be dialed: {@code /dns4/host/tcp/1} into {@code
 * /ip4/…/tcp/1} for each A record, {@code /dns6} through AAAA, {@code /dns} through both, and
 * {@code /dnsaddr/domain[/p2p/id]} through the TXT records of {@code _dnsaddr.domain}, keeping the
 * records that end with the rest of the address (its peer id) and resolving those again, up to
 * {@link DnsSettings#maxDepth()} deep. Only the first component is resolved; other addresses come
 * back as they are. Every resolution is bounded in lookups, addresses and time ({@link
 * DnsSettings}); answers are cached by their TTL, capped.
 *
 * <p>Netty's resolver does the DNS: the system's name servers, search domains and hosts file unless
 * servers are configured, retries, TCP when an answer is truncated.
 */
public final class MultiaddrResolver implements AutoCloseable {

  private final DnsNameResolver resolver;
  private final DnsSettings settings;
  private final Clock clock;
  private final Map<String, CachedTxt> txtCache;

  /** TXT values of a name, or the reason there are none, until {@code expires}. */
  private record CachedTxt(List<String> values, @Nullable String failure, Instant expires) {}

  /**
   * A resolver running its queries on {@code loop}.
   *
   * @param udp the datagram channel class matching the loop (epoll or NIO)
   * @param tcp the socket channel class for truncated answers
   */
  public MultiaddrResolver(
      EventLoop loop,
      Class<? extends DatagramChannel> udp,
      Class<? extends SocketChannel> tcp,
      DnsSettings settings,
      Clock clock) {
    this.settings = settings;
    this.clock = clock;
    int maxCached = settings.maxCachedNames();
    this.txtCache =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, CachedTxt> eldest) {
            return size() > maxCached;
          }
        };
    DnsNameResolverBuilder builder =
        new DnsNameResolverBuilder(loop)
            .datagramChannelType(udp)
            .socketChannelType(tcp)
            .queryTimeoutMillis(settings.queryTimeout().toMillis())
            .ttl(0, (int) Math.min(Integer.MAX_VALUE, settings.maxTtl().toSeconds()))
            .negativeTtl((int) Math.min(Integer.MAX_VALUE, settings.negativeTtl().toSeconds()))
            // both families for /dns; /dns4 and /dns6 keep theirs
            .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
            .completeOncePreferredResolved(false);
    if (settings.servers().isEmpty()) {
      builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
    } else {
      // names in multiaddrs are absolute: the system's search domains go with its servers
      builder
          .nameServerProvider(new SequentialDnsServerAddressStreamProvider(settings.servers()))
          .searchDomains(List.of())
          .ndots(1);
    }
    this.resolver = builder.build();
  }

  /**
   * The dialable addresses {@code address} stands for: itself unless its first component is a DNS
   * name, else what the name resolves to (never empty: no result is a {@link DnsException}).
   */
  public CompletableFuture<List<Multiaddr>> resolve(Multiaddr address) {
    if (!address.isDns()) {
      return CompletableFuture.completedFuture(List.of(address));
    }
    return resolve(address, 0, new AtomicInteger(settings.maxLookups()))
        .thenApply(
            found -> {
              List<Multiaddr> distinct = List.copyOf(new LinkedHashSet<>(found));
              return distinct.size() > settings.maxAddresses()
                  ? distinct.subList(0, settings.maxAddresses())
                  : distinct;
            });
  }

  private CompletableFuture<List<Multiaddr>> resolve(
      Multiaddr address, int depth, AtomicInteger lookups) {
    if (!address.isDns()) {
      return CompletableFuture.completedFuture(List.of(address));
    }
    Multiaddr.Component first = address.components().get(0);
    if (lookups.getAndDecrement() <= 0) {
      return CompletableFuture.failedFuture(
          new DnsException(
              "not resolving "
                  + first
                  + ": "
                  + settings.maxLookups()
                  + " DNS lookups spent on one address"));
    }
    if (first.protocol() == Protocol.DNSADDR) {
      return dnsaddr(address, first.value(), depth, lookups);
    }
    return hosts(first.protocol(), first.value())
        .thenApply(ips -> ips.stream().map(address::withFirstReplacedBy).toList());
  }

  private CompletableFuture<List<Multiaddr>> dnsaddr(
      Multiaddr address, String domain, int depth, AtomicInteger lookups) {
    if (depth >= settings.maxDepth()) {
      return CompletableFuture.failedFuture(
          new DnsException(
              "/dnsaddr/" + domain + " is nested more than " + settings.maxDepth() + " deep"));
    }
    Multiaddr rest = address.withoutFirst();
    return txt(Dns.DNSADDR_LABEL + domain)
        .thenCompose(
            values -> {
              List<Multiaddr> matching =
                  TxtRecords.dnsaddrs(values).stream().filter(a -> a.endsWith(rest)).toList();
              if (matching.isEmpty()) {
                return CompletableFuture.failedFuture(
                    new DnsException(
                        "no dnsaddr record at "
                            + Dns.DNSADDR_LABEL
                            + domain
                            + (rest == null ? "" : " ends with " + rest)));
              }
              List<CompletableFuture<List<Multiaddr>>> branches = new ArrayList<>();
              for (Multiaddr next : matching) {
                branches.add(resolve(next, depth + 1, lookups));
              }
              return CompletableFuture.allOf(branches.toArray(CompletableFuture[]::new))
                  .handle((ignored, error) -> gather(branches));
            });
  }

  /** Every branch's addresses; when none has any, the first branch's failure. */
  private static List<Multiaddr> gather(List<CompletableFuture<List<Multiaddr>>> branches) {
    List<Multiaddr> found = new ArrayList<>();
    @Nullable Throwable firstFailure = null;
    for (CompletableFuture<List<Multiaddr>> branch : branches) {
      try {
        found.addAll(branch.join());
      } catch (CompletionException e) {
        if (firstFailure == null) {
          firstFailure = e.getCause() == null ? e : e.getCause();
        }
      }
    }
    if (found.isEmpty() && firstFailure != null) {
      throw firstFailure instanceof DnsException dns
          ? dns
          : new DnsException(String.valueOf(firstFailure.getMessage()), firstFailure);
    }
    return found;
  }

  /** The A and/or AAAA records of {@code name}, as {@code protocol} asks. */
  private CompletableFuture<List<InetAddress>> hosts(Protocol protocol, String name) {
    CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
    Future<List<InetAddress>> lookup;
    try {
      lookup = resolver.resolveAll(name);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new DnsException("cannot resolve " + name + ": " + e.getMessage(), e));
    }
    lookup.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.completeExceptionally(
                new DnsException(
                    "cannot resolve " + name + ": " + Errors.describe(f.cause()), f.cause()));
            return;
          }
          List<InetAddress> ips =
              lookup.getNow().stream()
                  .filter(
                      ip ->
                          switch (protocol) {
                            case DNS4 -> ip instanceof Inet4Address;
                            case DNS6 -> ip instanceof Inet6Address;
                            default -> true;
                          })
                  .toList();
          if (ips.isEmpty()) {
            result.completeExceptionally(
                new DnsException(
                    name
                        + " has no "
                        + (protocol == Protocol.DNS4
                            ? "A"
                            : protocol == Protocol.DNS6 ? "AAAA" : "A or AAAA")
                        + " record"));
          } else {
            result.complete(ips);
          }
        });
    return result;
  }

  /** The TXT values of {@code name}, from the cache while they last. */
  private CompletableFuture<List<String>> txt(String name) {
    Instant now = clock.instant();
    CachedTxt cached;
    synchronized (txtCache) {
      cached = txtCache.get(name);
    }
    if (cached != null && now.isBefore(cached.expires())) {
      return cached.failure() == null
          ? CompletableFuture.completedFuture(cached.values())
          : CompletableFuture.failedFuture(new DnsException(cached.failure()));
    }
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    Future<List<DnsRecord>> lookup;
    try {
      lookup = resolver.resolveAll(new DefaultDnsQuestion(name, DnsRecordType.TXT));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new DnsException("cannot look up TXT records of " + name + ": " + e.getMessage(), e));
    }
    lookup.addListener(
        f -> {
          if (!f.isSuccess()) {
            String failure =
                "cannot look up TXT records of " + name + ": " + Errors.describe(f.cause());
            remember(name, new CachedTxt(List.of(), failure, now.plus(settings.negativeTtl())));
            result.completeExceptionally(new DnsException(failure, f.cause()));
            return;
          }
          List<DnsRecord> records = lookup.getNow();
          try {
            List<String> values = new ArrayList<>();
            long ttl = settings.maxTtl().toSeconds();
            for (DnsRecord record : records) {
              if (!DnsRecordType.TXT.equals(record.type())
                  || !(record instanceof DnsRawRecord raw)) {
                continue;
              }
              if (values.size() == Dns.MAX_TXT_STRINGS_PER_NAME) {
                break;
              }
              ttl = Math.min(ttl, record.timeToLive());
              try {
                values.add(TxtRecords.value(raw.content()));
              } catch (DnsException e) {
                // a malformed record does not spoil the others
              }
            }
            List<String> found = List.copyOf(values);
            remember(name, new CachedTxt(found, null, now.plus(Duration.ofSeconds(ttl))));
            result.complete(found);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          } finally {
            records.forEach(ReferenceCountUtil::release);
          }
        });
    return result;
  }

  private void remember(String name, CachedTxt entry) {
    if (settings.maxCachedNames() == 0) {
      return;
    }
    synchronized (txtCache) {
      txtCache.put(name, entry);
    }
  }

  /** TXT record sets cached now (for tests and metrics). */
  int cachedNames() {
    synchronized (txtCache) {
      return txtCache.size();
    }
  }

  @Override
  public void close() {
    resolver.close();
  }
}
