package io.reachability.config;

import io.reachability.access.AccessProperties;
import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.CheckOptions;
import io.reachability.job.AddressChecker;
import io.reachability.job.CheckPolicy;
import io.reachability.job.CheckRequestValidator;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobService;
import io.reachability.job.JobSettings;
import io.reachability.job.JobStore;
import io.reachability.job.NodeAddresses;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Check jobs: the in-memory store and the job service on the node's AutoNAT v2 client and the
 * server pool. The service is closed before the client and the pool (it depends on them), so jobs
 * drain against live servers on shutdown.
 */
@Configuration(proxyBeanMethods = false)
class JobConfiguration {

  /**
   * The clock jobs are stamped with and finished jobs expire by. One clock for both: the store
   * takes the order jobs finish in as the order of their {@code finishedAt}. Tests replace it.
   */
  @Bean
  Clock jobClock() {
    return Clock.systemUTC();
  }

  @Bean
  JobStore jobStore(JobsProperties jobs, Clock jobClock) {
    return new InMemoryJobStore(jobClock, jobs.retention(), jobs.maxStored());
  }

  @Bean(destroyMethod = "close")
  JobService jobService(
      JobStore store,
      AutonatClient client,
      ServerPool pool,
      Host host,
      NodeProperties node,
      JobSettings settings,
      Clock jobClock) {
    // every listen address, wildcards expanded to this machine's interface addresses (not the
    // advertised list: a filter may leave out addresses a check should still be able to test)
    List<Multiaddr> announce = node.announceAddresses(); // parsed once, not for every job
    return new JobService(
        store,
        AddressChecker.of(client),
        pool,
        () -> new NodeAddresses(host.interfaceListenAddresses(), announce),
        settings,
        CheckOptions.from(client.settings()),
        jobClock);
  }

  /**
   * What a request may name ({@code reach.access.allow-any-server}, {@code allow-any-address}): by
   * default the pool's servers and the node's own addresses only, so the service cannot be made to
   * dial, or have servers dial, anyone else.
   */
  @Bean
  CheckRequestValidator checkRequestValidator(
      Host host,
      ClientProperties client,
      AccessProperties access,
      ServerPool pool,
      NodeProperties node) {
    Set<InetAddress> machine =
        Set.copyOf(Host.machineAddresses()); // read once: interfaces rarely change
    List<Multiaddr> announce = node.announceAddresses();
    CheckPolicy policy =
        new CheckPolicy(
            access.allowAnyServer()
                ? CheckPolicy.ServerRule.POOL_OR_PUBLIC
                : CheckPolicy.ServerRule.POOL,
            access.allowAnyAddress(),
            () -> pool.servers().stream().map(PoolServer::address).toList(),
            () -> NodeIps.of(host, announce, machine));
    return new CheckRequestValidator(
        host.peerId(), client.toSettings().maxDialDataBytes(), policy, host::resolve);
  }
}
