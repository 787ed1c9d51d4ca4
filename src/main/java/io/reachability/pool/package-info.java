/** The pool of AutoNAT v2 servers checks are sent to, configured or embedded on loopback. */
@NullMarked
package io.reachability.pool;

import org.jspecify.annotations.NullMarked;
