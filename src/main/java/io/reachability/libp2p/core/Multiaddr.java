package io.reachability.libp2p.core;

import io.reachability.libp2p.multiformats.IpLiterals;
import io.reachability.libp2p.multiformats.MultiformatsException;
import io.reachability.libp2p.multiformats.Protocol;
import io.reachability.libp2p.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A multiaddr: a self-describing network address such as {@code
 * /ip4/1.2.3.4/tcp/4001/p2p/12D3KooW…}, a sequence of protocol components each with an optional
 * value. Immutable; equality is on the binary form. Parsing never resolves names: IP literals are
 * checked by {@link IpLiterals}.
 *
 * <p>Text form: {@code /name/value/name/value…}; zero-size protocols have no value; a path protocol
 * ({@code /unix}) takes the rest of the text. A trailing '/' is ignored. Binary form: per component
 * {@code varint(code)} then the value — fixed size, or {@code varint(length)} and that many bytes.
 * The text printed is canonical: IPv6 in RFC 5952 form, {@code /p2p} in base58btc, {@code
 * /certhash} in base64url, ports without leading zeros.
 *
 * @see <a href="https://github.com/multiformats/multiaddr">multiaddr</a>
 */
public final class Multiaddr {

  /**
   * Longest binary multiaddr accepted, far above real ones (a circuit address with two peer ids and
   * certhashes).
   */
  public static final int MAX_LENGTH = 1024;

  /** Longest text multiaddr accepted. */
  public static final int MAX_TEXT_LENGTH = 4 * MAX_LENGTH;

  private static final Multiaddr EMPTY = new Multiaddr(new byte[0], List.of(), List.of());

  /**
   * One component: its protocol and the value in text form ("" when the protocol has none).
   *
   * @param protocol the protocol
   * @param value the value as printed, "" when none
   */
  public record Component(Protocol protocol, String value) {
    /** The component as text, e.g. {@code /tcp/4001}. */
    @Override
    public String toString() {
      if (!protocol.hasValue()) {
        return "/" + protocol.protocolName();
      }
      // A path value starts with '/' already.
      return "/" + protocol.protocolName() + (protocol.isPath() ? "" : "/") + value;
    }
  }

  private final byte[] bytes;
  private final List<Component> components;
  private final List<byte[]> rawValues;
  private final String text;

  private Multiaddr(byte[] bytes, List<Component> components, List<byte[]> rawValues) {
    this.bytes = bytes;
    this.components = List.copyOf(components);
    this.rawValues = List.copyOf(rawValues);
    StringBuilder out = new StringBuilder();
    for (Component component : components) {
      out.append(component);
    }
    this.text = out.toString();
  }

  /**
   * Parses the text form.
   *
   * @throws MultiaddrException naming the address and the problem, e.g. {@code invalid multiaddr
   *     "/ip4/1.2.3/tcp/1": bad ip4 address "1.2.3"}
   */
  public static Multiaddr fromString(String text) {
    try {
      return parse(text);
    } catch (MultiformatsException | MultiaddrException e) {
      throw new MultiaddrException(
          "invalid multiaddr \"" + abbreviate(text) + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Parses the binary form.
   *
   * @throws MultiaddrException naming the problem, e.g. {@code unknown protocol code 9999}
   */
  public static Multiaddr fromBytes(byte[] bytes) {
    try {
      return decode(bytes.clone());
    } catch (MultiformatsException | MultiaddrException e) {
      throw new MultiaddrException(
          "invalid multiaddr bytes "
              + abbreviate(HexFormat.of().formatHex(bytes))
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * {@code /ip4/…/tcp/port} or {@code /ip6/…/tcp/port} (with {@code /ip6zone/…} first for a scoped
   * IPv6 address); an unresolved address becomes {@code /dns/host/tcp/port}. Never resolves
   * anything.
   */
  public static Multiaddr fromSocketAddress(InetSocketAddress address) {
    Builder builder = ipPart(address);
    builder.add(Protocol.TCP, Integer.toString(address.getPort()));
    return builder.build();
  }

  /**
   * {@code /ip4/…/udp/port/quic-v1} or {@code /ip6/…/udp/port/quic-v1} (with {@code /ip6zone/…}
   * first for a scoped IPv6 address). Never resolves anything.
   */
  public static Multiaddr fromQuicSocketAddress(InetSocketAddress address) {
    Builder builder = ipPart(address);
    builder.add(Protocol.UDP, Integer.toString(address.getPort()));
    builder.add(Protocol.QUIC_V1, "");
    return builder.build();
  }

  private static Builder ipPart(InetSocketAddress address) {
    Builder builder = new Builder();
    InetAddress ip = address.getAddress();
    if (address.isUnresolved() || ip == null) {
      builder.add(Protocol.DNS, address.getHostString());
    } else if (ip instanceof Inet6Address ip6) {
      if (ip6.getScopedInterface() != null) {
        builder.add(Protocol.IP6ZONE, ip6.getScopedInterface().getName());
      } else if (ip6.getScopeId() != 0) {
        builder.add(Protocol.IP6ZONE, Integer.toString(ip6.getScopeId()));
      }
      builder.addRaw(Protocol.IP6, ip6.getAddress());
    } else {
      builder.addRaw(Protocol.IP4, ip.getAddress());
    }
    return builder;
  }

  /** The binary form (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The components, in order. */
  public List<Component> components() {
    return components;
  }

  /**
   * True for the empty address (only reachable through {@link #withoutPeerId()} of a bare {@code
   * /p2p/…}).
   */
  public boolean isEmpty() {
    return components.isEmpty();
  }

  /** True when some component has this protocol. */
  public boolean has(Protocol protocol) {
    for (Component component : components) {
      if (component.protocol() == protocol) {
        return true;
      }
    }
    return false;
  }

  /** The text value of the first component with this protocol ("" for a protocol without value). */
  public Optional<String> valueOf(Protocol protocol) {
    for (Component component : components) {
      if (component.protocol() == protocol) {
        return Optional.of(component.value());
      }
    }
    return Optional.empty();
  }

  /**
   * The peer id of the trailing {@code /p2p} component: the peer this address reaches. Empty when
   * the address does not end in {@code /p2p/…} — e.g. {@code …/p2p/RELAY/p2p-circuit} names the
   * relay, not the peer, so it has none (as go-libp2p's {@code peer.SplitAddr}).
   */
  public Optional<PeerId> peerId() {
    int last = components.size() - 1;
    if (last < 0 || components.get(last).protocol() != Protocol.P2P) {
      return Optional.empty();
    }
    return Optional.of(PeerId.fromBytes(rawValues.get(last)));
  }

  /** This address without its trailing {@code /p2p} component (this itself when there is none). */
  public Multiaddr withoutPeerId() {
    int last = components.size() - 1;
    if (last < 0 || components.get(last).protocol() != Protocol.P2P) {
      return this;
    }
    if (last == 0) {
      return EMPTY;
    }
    int length = bytes.length - encodedLength(Protocol.P2P, rawValues.get(last));
    return new Multiaddr(
        Arrays.copyOf(bytes, length), components.subList(0, last), rawValues.subList(0, last));
  }

  /** This address ending in {@code /p2p/id}, replacing any trailing {@code /p2p} component. */
  public Multiaddr withPeerId(PeerId id) {
    Multiaddr base = withoutPeerId();
    Builder builder = new Builder();
    builder.addAll(base);
    builder.addRaw(Protocol.P2P, id.toBytes());
    return builder.build();
  }

  /**
   * Whether the first component is a DNS name to resolve ({@code /dns}, {@code /dns4}, {@code
   * /dns6} or {@code /dnsaddr}).
   */
  public boolean isDns() {
    return !components.isEmpty() && isDnsProtocol(components.get(0).protocol());
  }

  /** Whether {@code protocol} is one of the DNS protocols, whose value is a name to resolve. */
  public static boolean isDnsProtocol(Protocol protocol) {
    return protocol == Protocol.DNS
        || protocol == Protocol.DNS4
        || protocol == Protocol.DNS6
        || protocol == Protocol.DNSADDR;
  }

  /**
   * This address without its first component, e.g. {@code /tcp/1/p2p/…} of {@code
   * /dns4/x/tcp/1/p2p/…}; null when there is nothing after it.
   */
  public @Nullable Multiaddr withoutFirst() {
    if (components.size() <= 1) {
      return null;
    }
    int length = encodedLength(components.get(0).protocol(), rawValues.get(0));
    return new Multiaddr(
        Arrays.copyOfRange(bytes, length, bytes.length),
        components.subList(1, components.size()),
        rawValues.subList(1, rawValues.size()));
  }

  /**
   * This address with its first component replaced by {@code ip} ({@code /ip4} or {@code /ip6}):
   * how a resolved DNS name is put in its place.
   */
  public Multiaddr withFirstReplacedBy(InetAddress ip) {
    Builder builder = new Builder();
    builder.addRaw(ip instanceof Inet6Address ? Protocol.IP6 : Protocol.IP4, ip.getAddress());
    Multiaddr rest = withoutFirst();
    if (rest != null) {
      builder.addAll(rest);
    }
    return builder.build();
  }

  /** Whether this address ends with the components of {@code suffix} (an empty one always). */
  public boolean endsWith(@Nullable Multiaddr suffix) {
    if (suffix == null) {
      return true;
    }
    int offset = bytes.length - suffix.bytes.length;
    int componentOffset = components.size() - suffix.components.size();
    return offset >= 0
        && componentOffset >= 0
        && components.subList(componentOffset, components.size()).equals(suffix.components)
        && Arrays.equals(bytes, offset, bytes.length, suffix.bytes, 0, suffix.bytes.length);
  }

  /**
   * Whether this is an address of the shapes this stack dials, a {@code /p2p} suffix aside: TCP or
   * QUIC-v1 over an IP ({@link #toIpSocketAddress()}), the same over a {@code /dns}, {@code /dns4}
   * or {@code /dns6} name, or a bare {@code /dnsaddr} name (its records say the rest).
   */
  public boolean hasDialableShape() {
    Multiaddr plain = withoutPeerId();
    if (!plain.isDns()) {
      return plain.toIpSocketAddress().isPresent();
    }
    Protocol first = plain.components.get(0).protocol();
    if (first == Protocol.DNSADDR) {
      return plain.components.size() == 1;
    }
    byte[] placeholder = new byte[first == Protocol.DNS6 ? 16 : 4];
    placeholder[placeholder.length - 1] = 1; // loopback: only the shape is looked at
    try {
      return plain
          .withFirstReplacedBy(InetAddress.getByAddress(placeholder))
          .toIpSocketAddress()
          .isPresent();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are an IP address", e);
    }
  }

  /** This address followed by {@code other}, e.g. {@code /ip4/…/tcp/1} + {@code /p2p/…}. */
  public Multiaddr encapsulate(Multiaddr other) {
    Builder builder = new Builder();
    builder.addAll(this);
    builder.addAll(other);
    return builder.build();
  }

  /**
   * The socket address of a plain TCP address: {@code /ip4/…/tcp/port} or {@code
   * [/ip6zone/z]/ip6/…/tcp/port}, optionally ending in {@code /p2p/…}. Empty for any other shape,
   * including DNS names (nothing is resolved) and a zone naming no local interface.
   */
  public Optional<InetSocketAddress> toTcpSocketAddress() {
    return toSocketAddress(Protocol.TCP);
  }

  /**
   * The socket address of a QUIC-v1 address: {@code /ip4/…/udp/port/quic-v1} or {@code
   * [/ip6zone/z]/ip6/…/udp/port/quic-v1}, optionally ending in {@code /p2p/…}. Empty for any other
   * shape (draft-29 {@code /quic}, WebTransport on top, DNS names).
   */
  public Optional<InetSocketAddress> toQuicSocketAddress() {
    return toSocketAddress(Protocol.UDP, Protocol.QUIC_V1);
  }

  /** {@link #toTcpSocketAddress()} or {@link #toQuicSocketAddress()}, whichever applies. */
  public Optional<InetSocketAddress> toIpSocketAddress() {
    Optional<InetSocketAddress> tcp = toTcpSocketAddress();
    return tcp.isPresent() ? tcp : toQuicSocketAddress();
  }

  /** True for a {@code …/udp/port/quic-v1} address {@link #toQuicSocketAddress()} accepts. */
  public boolean isQuic() {
    return toQuicSocketAddress().isPresent();
  }

  /** [zone] ip, then a port component of {@code tail[0]}, then the rest of {@code tail}. */
  private Optional<InetSocketAddress> toSocketAddress(Protocol... tail) {
    int i = 0;
    int end = components.size();
    if (end > 0 && components.get(end - 1).protocol() == Protocol.P2P) {
      end--;
    }
    @Nullable String zone = null;
    if (i < end && components.get(i).protocol() == Protocol.IP6ZONE) {
      zone = components.get(i).value();
      i++;
    }
    if (end - i != 1 + tail.length) {
      return Optional.empty();
    }
    for (int t = 0; t < tail.length; t++) {
      if (components.get(i + 1 + t).protocol() != tail[t]) {
        return Optional.empty();
      }
    }
    Protocol ipProtocol = components.get(i).protocol();
    byte[] ip = rawValues.get(i);
    int port = Integer.parseInt(components.get(i + 1).value());
    try {
      if (ipProtocol == Protocol.IP4 && zone == null) {
        return Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port));
      }
      if (ipProtocol != Protocol.IP6) {
        return Optional.empty();
      }
      if (zone == null) {
        return Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port));
      }
      Inet6Address scoped =
          isDecimal(zone)
              ? Inet6Address.getByAddress(null, ip, Integer.parseInt(zone))
              : scopedByInterface(ip, zone);
      return scoped == null ? Optional.empty() : Optional.of(new InetSocketAddress(scoped, port));
    } catch (UnknownHostException | NumberFormatException | SocketException e) {
      // getByAddress with a literal never looks anything up; these mean an unusable zone
      return Optional.empty();
    }
  }

  private static @Nullable Inet6Address scopedByInterface(byte[] ip, String zone)
      throws UnknownHostException, SocketException {
    NetworkInterface nif = NetworkInterface.getByName(zone);
    return nif == null ? null : Inet6Address.getByAddress(null, ip, nif);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr multiaddr && Arrays.equals(bytes, multiaddr.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The canonical text form. */
  @Override
  public String toString() {
    return text;
  }

  // --- parsing ---

  private static Multiaddr parse(String text) {
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new MultiaddrException("text of " + text.length() + " characters is too long");
    }
    if (text.isEmpty()) {
      throw new MultiaddrException("empty multiaddr");
    }
    if (text.charAt(0) != '/') {
      throw new MultiaddrException("must begin with /");
    }
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '/') {
      end--;
    }
    if (end == 0) {
      throw new MultiaddrException("empty multiaddr");
    }
    String[] parts = text.substring(1, end).split("/", -1);
    Builder builder = new Builder();
    for (int i = 0; i < parts.length; i++) {
      String name = parts[i];
      Protocol protocol =
          Protocol.byName(name)
              .orElseThrow(() -> new MultiaddrException("unknown protocol \"" + name + "\""));
      if (!protocol.hasValue()) {
        builder.addRaw(protocol, new byte[0]);
        continue;
      }
      if (i + 1 >= parts.length) {
        throw new MultiaddrException("missing value for " + protocol);
      }
      String value;
      if (protocol.isPath()) {
        value = "/" + String.join("/", Arrays.asList(parts).subList(i + 1, parts.length));
        i = parts.length;
      } else {
        value = parts[++i];
      }
      builder.addRaw(protocol, protocol.valueToBytes(value));
    }
    return builder.build();
  }

  private static Multiaddr decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw new MultiaddrException("empty multiaddr");
    }
    if (bytes.length > MAX_LENGTH) {
      throw new MultiaddrException(bytes.length + " bytes is too long");
    }
    List<Component> components = new ArrayList<>();
    List<byte[]> rawValues = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      Varint.Decoded code = Varint.decode(bytes, pos, bytes.length);
      if (code.needMore()) {
        throw new MultiaddrException("truncated protocol code");
      }
      pos += code.length();
      Protocol protocol =
          Protocol.byCode(code.value())
              .orElseThrow(() -> new MultiaddrException("unknown protocol code " + code.value()));
      requireNothingAfterPath(components);
      int length;
      if (protocol.isLengthPrefixed()) {
        Varint.Decoded prefix = Varint.decode(bytes, pos, bytes.length);
        if (prefix.needMore()) {
          throw new MultiaddrException("truncated length for " + protocol);
        }
        pos += prefix.length();
        // Checked against the bytes present before anything is allocated.
        if (prefix.value() > bytes.length - pos) {
          throw new MultiaddrException("truncated value for " + protocol);
        }
        length = (int) prefix.value();
      } else {
        length = protocol.sizeBits() / 8;
        if (length > bytes.length - pos) {
          throw new MultiaddrException("truncated value for " + protocol);
        }
      }
      byte[] value = Arrays.copyOfRange(bytes, pos, pos + length);
      pos += length;
      components.add(new Component(protocol, valueText(protocol, value)));
      rawValues.add(value);
    }
    return new Multiaddr(bytes, components, rawValues);
  }

  /**
   * A path value ({@code /unix}) runs to the end of the text form, so nothing may follow it: the
   * text of {@code /unix/a} then {@code /tcp/1} would parse back as the one path {@code /a/tcp/1}.
   */
  private static void requireNothingAfterPath(List<Component> components) {
    if (!components.isEmpty() && components.get(components.size() - 1).protocol().isPath()) {
      throw new MultiaddrException(
          "/" + components.get(components.size() - 1).protocol() + " must be the last component");
    }
  }

  private static String valueText(Protocol protocol, byte[] value) {
    String text = protocol.valueToText(value);
    if (protocol == Protocol.P2P) {
      try {
        PeerId.fromBytes(value); // the peer id rules are stricter than "some multihash"
      } catch (PeerIdException e) {
        throw new MultiaddrException(String.valueOf(e.getMessage()), e);
      }
    }
    return text;
  }

  private static int encodedLength(Protocol protocol, byte[] value) {
    int length = Varint.encodedLength(protocol.code()) + value.length;
    return protocol.isLengthPrefixed() ? length + Varint.encodedLength(value.length) : length;
  }

  private static boolean isDecimal(String text) {
    if (text.isEmpty() || text.length() > 9) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }

  /** Collects validated components and their binary form. */
  private static final class Builder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Component> components = new ArrayList<>();
    private final List<byte[]> rawValues = new ArrayList<>();

    void add(Protocol protocol, String value) {
      try {
        addRaw(protocol, protocol.valueToBytes(value));
      } catch (MultiformatsException e) {
        throw new MultiaddrException("invalid " + protocol + " value: " + e.getMessage(), e);
      }
    }

    void addRaw(Protocol protocol, byte[] value) {
      requireNothingAfterPath(components);
      String text;
      try {
        text = valueText(protocol, value);
      } catch (MultiformatsException e) {
        throw new MultiaddrException(String.valueOf(e.getMessage()), e);
      }
      out.writeBytes(Varint.encode(protocol.code()));
      if (protocol.isLengthPrefixed()) {
        out.writeBytes(Varint.encode(value.length));
      }
      out.writeBytes(value);
      components.add(new Component(protocol, text));
      rawValues.add(value);
    }

    void addAll(Multiaddr other) {
      requireNothingAfterPath(components);
      out.writeBytes(other.bytes);
      components.addAll(other.components);
      rawValues.addAll(other.rawValues);
    }

    Multiaddr build() {
      if (out.size() > MAX_LENGTH) {
        throw new MultiaddrException(out.size() + " bytes is too long");
      }
      if (components.isEmpty()) {
        throw new MultiaddrException("empty multiaddr");
      }
      return new Multiaddr(out.toByteArray(), components, rawValues);
    }
  }
}
