/**
 * Multiformats: self-describing values used by libp2p.
 *
 * <ul>
 *   <li>{@link io.reachability.libp2p.multiformats.Varint} — unsigned LEB128 as restricted by the
 *       multiformats unsigned-varint spec (at most 9 bytes, 63 bits, minimal encoding only).
 *   <li>{@link io.reachability.libp2p.multiformats.Base58}, {@link
 *       io.reachability.libp2p.multiformats.Base32}, {@link
 *       io.reachability.libp2p.multiformats.Base36} and the prefix dispatch in {@link
 *       io.reachability.libp2p.multiformats.Multibase}.
 *   <li>{@link io.reachability.libp2p.multiformats.Multihash} and {@link
 *       io.reachability.libp2p.multiformats.Cid}.
 *   <li>{@link io.reachability.libp2p.multiformats.Protocol} — the multiaddr protocol table, used
 *       by {@link io.reachability.libp2p.core.Multiaddr}.
 * </ul>
 *
 * <p>Every decoder rejects malformed input with a {@link
 * io.reachability.libp2p.multiformats.MultiformatsException} naming the problem, and checks a
 * length prefix against the bytes actually present before allocating.
 *
 * @see <a href="https://github.com/multiformats/unsigned-varint">unsigned-varint</a>
 * @see <a href="https://github.com/multiformats/multibase">multibase</a>
 * @see <a href="https://github.com/multiformats/multihash">multihash</a>
 * @see <a href="https://github.com/multiformats/cid">CID</a>
 * @see <a href="https://github.com/multiformats/multiaddr">multiaddr</a>
 * @see <a href="https://github.com/multiformats/multicodec/blob/master/table.csv">multicodec
 *     table</a>
 */
@NullMarked
package io.reachability.libp2p.multiformats;

import org.jspecify.annotations.NullMarked;
