/** Spring wiring: {@code reach.*} configuration properties turned into settings and beans. */
@NullMarked
package io.reachability.config;

import org.jspecify.annotations.NullMarked;
