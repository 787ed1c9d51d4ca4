package io.reachability.access;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the REST API and what a check may name ({@code reach.access.*}).
 *
 * @param keys API keys; once there is one, every write (POST, DELETE) needs one. With none, writes
 *     are answered for loopback callers only, so a fresh install is not an open relay
 * @param protectReads reads of the API ({@code GET /api/**}) and {@code /actuator/prometheus} need
 *     what writes need; off = open to anyone (job contents are always visible to their owner only)
 * @param allowAnyServer a check may name servers outside the pool ({@code reach.pool.servers});
 *     then public addresses only
 * @param allowAnyAddress a check may name addresses that are not the node's own (labs only: the
 *     servers then dial whatever a caller names)
 * @param submissionsPerMinute check submissions per client (API key, or the local caller) per
 *     minute, with bursts of as many; beyond it 429 with {@code Retry-After}
 * @param frameAncestors web pages that may show the service's pages (the dashboard) in a frame,
 *     each an exact origin; none by default ({@code frame-ancestors 'none'}, {@code
 *     X-Frame-Options: DENY}), so no other site can overlay it to trick a click
 */
@ConfigurationProperties("reach.access")
public record AccessProperties(
    @DefaultValue List<Key> keys,
    @DefaultValue("false") boolean protectReads,
    @DefaultValue("false") boolean allowAnyServer,
    @DefaultValue("false") boolean allowAnyAddress,
    @DefaultValue("" + AccessProperties.DEFAULT_SUBMISSIONS_PER_MINUTE) int submissionsPerMinute,
    @DefaultValue List<String> frameAncestors) {

  /** A check a second on average, in bursts of up to a minute's worth. */
  public static final int DEFAULT_SUBMISSIONS_PER_MINUTE = 60;

  /**
   * Most submissions per minute a setting may allow: the limit exists to protect the pool's
   * servers.
   */
  public static final int MAX_SUBMISSIONS_PER_MINUTE = 60_000;

  /** Most keys: each is compared on every authenticated request. */
  public static final int MAX_KEYS = 64;

  /** Shortest secret: 16 random printable characters are ~100 bits, beyond guessing. */
  public static final int MIN_SECRET_LENGTH = 16;

  /** Longest secret (and the longest token a request may present). */
  public static final int MAX_SECRET_LENGTH = 256;

  /** Key names: they become job owners and appear in logs. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A secret travels in an HTTP header after "Bearer ": visible ASCII, no spaces. */
  static final Pattern SECRET = Pattern.compile("[\\x21-\\x7e]+");

  /**
   * One API key.
   *
   * @param name who holds it: jobs it submits belong to this name
   * @param secret what the holder sends as {@code Authorization: Bearer <secret>}
   * @param admin sees and cancels every client's jobs
   */
  public record Key(
      @Nullable String name, @Nullable String secret, @DefaultValue("false") boolean admin) {}

  public AccessProperties {
    keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException(
          "reach.access.keys: at most " + MAX_KEYS + " keys, was " + keys.size());
    }
    Set<String> names = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      Key key = keys.get(i);
      String at = "reach.access.keys[" + i + "]";
      String name = key.name();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            at
                + ".name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or"
                + " digit)");
      }
      if (ApiClient.RESERVED_NAMES.contains(name)) {
        throw new IllegalArgumentException(at + ".name \"" + name + "\" is reserved");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(at + ".name \"" + name + "\" is used by another key");
      }
      String secret = key.secret();
      // the secret itself is never part of a message
      if (secret == null
          || secret.length() < MIN_SECRET_LENGTH
          || secret.length() > MAX_SECRET_LENGTH
          || !SECRET.matcher(secret).matches()) {
        throw new IllegalArgumentException(
            at
                + ".secret must be "
                + MIN_SECRET_LENGTH
                + "-"
                + MAX_SECRET_LENGTH
                + " visible ASCII characters without spaces (e.g. openssl rand -hex 32)");
      }
      if (!secrets.add(secret)) {
        throw new IllegalArgumentException(at + ".secret is the secret of another key");
      }
    }
    frameAncestors = Origins.checked("reach.access.frame-ancestors", frameAncestors);
    if (submissionsPerMinute < 1 || submissionsPerMinute > MAX_SUBMISSIONS_PER_MINUTE) {
      throw new IllegalArgumentException(
          "reach.access.submissions-per-minute must be in [1, "
              + MAX_SUBMISSIONS_PER_MINUTE
              + "], was "
              + submissionsPerMinute);
    }
  }

  /** Open to loopback callers only, no key, every default. */
  public static AccessProperties defaults() {
    return new AccessProperties(
        List.of(), false, false, false, DEFAULT_SUBMISSIONS_PER_MINUTE, List.of());
  }
}
