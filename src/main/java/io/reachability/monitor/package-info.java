/**
 * The reachability monitor: keeps a sliding-window verdict for each of the node's own addresses.
 */
@NullMarked
package io.reachability.monitor;

import org.jspecify.annotations.NullMarked;
