/**
 * Peer checks: is another node reachable from here? Each of its addresses is dialed on its own, the
 * peer id the handshake proves is compared with the one asked about, and identify and ping tell
 * what the node runs.
 */
@NullMarked
package io.reachability.peercheck;

import org.jspecify.annotations.NullMarked;
