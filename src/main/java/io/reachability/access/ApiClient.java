package io.reachability.access;

import io.reachability.job.CheckJob;
import io.reachability.job.Job;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling: the holder of an API key, or the local caller (a loopback caller while no key is
 * configured). Anonymous callers have none. Jobs belong to the client that submitted them.
 *
 * @param name the key's name, or {@link CheckJob#LOCAL_OWNER}
 * @param admin sees and cancels every client's jobs
 */
public record ApiClient(String name, boolean admin) {

  /** A loopback caller while no key is configured: the operator on the machine, so an admin. */
  public static final ApiClient LOCAL = new ApiClient(CheckJob.LOCAL_OWNER, true);

  /** Names no key may take. */
  static final Set<String> RESERVED_NAMES = Set.of(CheckJob.LOCAL_OWNER, "anonymous");

  public ApiClient {
    Objects.requireNonNull(name, "name");
  }

  /** Whether this client may see (and cancel) {@code job}. */
  public boolean owns(Job job) {
    return admin || job.owner().equals(name);
  }
}
