package io.reachability.libp2p.dns;

/**
 * DNS names in multiaddrs: {@code /dns}, {@code /dns4} and {@code /dns6} name a host whose A or
 * AAAA records replace the name; {@code /dnsaddr/<domain>} names TXT records at {@code
 * _dnsaddr.<domain>}, each {@code dnsaddr=<multiaddr>}, resolved again in turn.
 *
 * @see <a href="https://github.com/multiformats/multiaddr/blob/master/protocols/DNSADDR.md">the
 *     dnsaddr specification</a>
 * @see <a href="https://github.com/multiformats/multiaddr/blob/master/protocols.csv">multiaddr
 *     protocol table (dns 0x35, dns4 0x36, dns6 0x37, dnsaddr 0x38)</a>
 */
public final class Dns {

  /** The TXT records of {@code /dnsaddr/<domain>} live under this label. */
  public static final String DNSADDR_LABEL = "_dnsaddr.";

  /** A TXT string of a dnsaddr record starts with this; others are not ours and are skipped. */
  public static final String DNSADDR_TXT_PREFIX = "dnsaddr=";

  /**
   * TXT strings read from one name at most (the bootstrap list has a few dozen): a hostile zone's
   * thousands of records cost no more than this.
   */
  public static final int MAX_TXT_STRINGS_PER_NAME = 256;

  private Dns() {}
}
