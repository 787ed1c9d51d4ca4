package io.reachability.access;

import io.reachability.job.Excerpt;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Web origins named in settings ({@code reach.api.cors.allowed-origins}, {@code
 * reach.access.frame-ancestors}): exact origins only, a bounded number, no wildcard.
 */
public final class Origins {

  /** Most origins one setting may name. */
  public static final int MAX_ORIGINS = 64;

  /**
   * An origin: http or https, a host (a name of dot-separated labels, which IPv4 is too, or
   * [IPv6]), an optional port.
   */
  private static final Pattern ORIGIN =
      Pattern.compile(
          "https?://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:(?<port>[0-9]{1,5}))?");

  /** The largest TCP port. */
  private static final int MAX_PORT = 65_535;

  private Origins() {}

  /**
   * The origins, copied, once every one is an exact origin and there are at most {@link
   * #MAX_ORIGINS}.
   *
   * @param setting the setting's name, for the message
   * @throws IllegalArgumentException naming the setting and the first bad item
   */
  public static List<String> checked(String setting, List<String> origins) {
    List<String> copy = List.copyOf(origins);
    if (copy.size() > MAX_ORIGINS) {
      throw new IllegalArgumentException(
          setting + " names " + copy.size() + " origins, at most " + MAX_ORIGINS);
    }
    for (int i = 0; i < copy.size(); i++) {
      String origin = copy.get(i);
      Matcher matcher = ORIGIN.matcher(origin);
      String port = matcher.matches() ? matcher.group("port") : null;
      if (!matcher.matches() || (port != null && Integer.parseInt(port) > MAX_PORT)) {
        throw new IllegalArgumentException(
            setting
                + "["
                + i
                + "] = \""
                + Excerpt.of(origin)
                + "\": not an origin (scheme://host[:port], no path, no wildcard)");
      }
    }
    return copy;
  }
}
