package io.reachability.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The configured API keys, kept as SHA-256 digests and compared in constant time: every key is
 * compared with {@link MessageDigest#isEqual} whatever matched before, so the time an answer takes
 * says nothing about how close a guess was, nor which key it was near.
 */
public final class ApiKeys {

  // never compared or hashed, so array identity in equals() does not matter
  @SuppressWarnings("ArrayRecordComponent")
  private record Entry(ApiClient client, byte[] digest) {}

  private final List<Entry> entries;

  public ApiKeys(List<AccessProperties.Key> keys) {
    this.entries =
        keys.stream()
            .map(
                k ->
                    new Entry(
                        new ApiClient(Objects.requireNonNull(k.name()), k.admin()),
                        digest(Objects.requireNonNull(k.secret()))))
            .toList();
  }

  /** Whether any key is configured (then every write needs one). */
  public boolean any() {
    return !entries.isEmpty();
  }

  /** The client whose key {@code presented} is; empty for an unknown or oversized token. */
  public Optional<ApiClient> authenticate(String presented) {
    if (presented.isEmpty() || presented.length() > AccessProperties.MAX_SECRET_LENGTH) {
      return Optional.empty();
    }
    byte[] digest = digest(presented);
    ApiClient match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest, digest)) {
        match = entry.client;
      }
    }
    return Optional.ofNullable(match);
  }

  private static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
