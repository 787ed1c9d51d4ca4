package io.reachability.config;

import java.util.Locale;

/**
 * A settings record's error ("maxRunning must be ...") in the words of configuration
 * ("reach.jobs.max-running must be ..."): the properties records share their settings' component
 * names, so the first word of the message names the key.
 */
final class SettingErrors {

  private SettingErrors() {}

  /** {@code error} with its message's first word turned into {@code prefix.kebab-case-key}. */
  static IllegalArgumentException named(String prefix, RuntimeException error) {
    return new IllegalArgumentException(message(prefix, String.valueOf(error.getMessage())), error);
  }

  static String message(String prefix, String message) {
    int space = message.indexOf(' ');
    String field = space < 0 ? message : message.substring(0, space);
    String rest = space < 0 ? "" : message.substring(space);
    String kebab = field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    return prefix + "." + kebab + rest;
  }
}
