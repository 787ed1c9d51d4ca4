/** Who may call the REST API: API keys, loopback-only writes, submission rates. */
@NullMarked
package io.reachability.access;

import org.jspecify.annotations.NullMarked;
