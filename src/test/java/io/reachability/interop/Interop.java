package io.reachability.interop;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Marks a test class (or method) that runs a real js-libp2p peer: tagged {@code interop} and
 * reported as skipped when {@code -DskipInterop=true}. Still call {@link
 * InteropPeer#assumeAvailable()} before starting peers: it fails the test when node or node_modules
 * is missing.
 */
@Documented
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("interop")
@DisabledIfSystemProperty(
    named = InteropPeer.SKIP_PROPERTY,
    matches = "true",
    disabledReason = "-DskipInterop=true")
public @interface Interop {}
