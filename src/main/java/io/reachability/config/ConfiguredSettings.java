package io.reachability.config;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How a properties record becomes its settings record, the same way for every {@code reach.*}
 * section. A value the configuration does not set is {@code null} in the properties record and
 * stays the settings record's default, so each default is written once, in the settings record. The
 * settings record checks every value; its error, in its own words ("maxRunning must be ..."), is
 * turned into the words of configuration ("reach.jobs.max-running must be ..."): the properties
 * records share their settings' component names, so the message's first word names the key.
 */
final class ConfiguredSettings {

  private ConfiguredSettings() {}

  /** Hands {@code value} to {@code setter} when the configuration sets it. */
  static <T> void ifSet(@Nullable T value, Consumer<? super T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  /** The settings {@code build} makes; a bad value's error names its {@code prefix.*} key. */
  static <S> S build(String prefix, Supplier<S> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(message(prefix, String.valueOf(e.getMessage())), e);
    }
  }

  /** {@code message} with its first word, a component name, turned into its key. */
  static String message(String prefix, String message) {
    int space = message.indexOf(' ');
    String component = space < 0 ? message : message.substring(0, space);
    String rest = space < 0 ? "" : message.substring(space);
    return key(prefix, component) + rest;
  }

  /** {@code maxRunning} under {@code reach.jobs} is {@code reach.jobs.max-running}. */
  static String key(String prefix, String component) {
    return prefix
        + "."
        + component.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
