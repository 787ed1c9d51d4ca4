package io.reachability.libp2p.dns;

import io.netty.buffer.ByteBuf;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.MultiaddrException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * TXT record data: one or more character-strings, each a length byte and that many bytes (RFC 1035
 * §3.3.14). A record's strings are joined into one value, as go's resolver does, since a long
 * dnsaddr value may be split across strings.
 */
final class TxtRecords {

  private TxtRecords() {}

  /**
   * The value of one TXT record: its character-strings joined; a length running past the end is a
   * malformed record.
   */
  static String value(ByteBuf rdata) {
    StringBuilder value = new StringBuilder(rdata.readableBytes());
    int index = rdata.readerIndex();
    int end = rdata.writerIndex();
    while (index < end) {
      int length = rdata.getUnsignedByte(index);
      index++;
      if (length > end - index) {
        throw new DnsException(
            "malformed TXT record: a string of "
                + length
                + " bytes where "
                + (end - index)
                + " are left");
      }
      value.append(rdata.toString(index, length, StandardCharsets.UTF_8));
      index += length;
    }
    return value.toString();
  }

  /**
   * The multiaddrs of a name's TXT values that are dnsaddr records; other TXT values (SPF and the
   * like) and values that are not multiaddrs are skipped, as the spec's resolvers do.
   */
  static List<Multiaddr> dnsaddrs(List<String> values) {
    List<Multiaddr> result = new ArrayList<>();
    for (String value : values) {
      if (!value.startsWith(Dns.DNSADDR_TXT_PREFIX)) {
        continue;
      }
      try {
        result.add(Multiaddr.fromString(value.substring(Dns.DNSADDR_TXT_PREFIX.length())));
      } catch (MultiaddrException e) {
        // one bad record does not spoil the others
      }
    }
    return result;
  }
}
