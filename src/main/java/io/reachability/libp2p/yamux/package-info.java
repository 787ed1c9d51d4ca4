/**
 * Yamux stream multiplexer ({@code /yamux/1.0.0}): a 12-byte frame header, per-stream flow control
 * with a 256 KiB initial window, and streams exposed as Netty child channels of the connection.
 *
 * <p>Pipeline of a connection: {@code … → YamuxFrameCodec → YamuxHandler}; every stream is a {@link
 * io.reachability.libp2p.yamux.YamuxStreamChannel} with its own pipeline on the connection's event
 * loop.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md">hashicorp yamux spec</a>
 * @see <a href="https://github.com/libp2p/specs/blob/master/yamux/README.md">libp2p yamux notes</a>
 */
@NullMarked
package io.reachability.libp2p.yamux;

import org.jspecify.annotations.NullMarked;
