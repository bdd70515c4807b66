package dev.natgw.registry.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where a request comes from, as the face counts it: the caller's address cut to the source prefix and to the wide
 * prefix of its family. An IPv4-mapped IPv6 address counts as the IPv4 address (the JDK hands it over as an
 * {@link Inet4Address}). Immutable.
 *
 * @param source the source prefix, such as {@code 2001:db8:1:2:0:0:0:0/64}
 * @param wide the wide prefix, such as {@code 2001:db8:1:0:0:0:0:0/48}
 */
record SourcePrefix(String source, String wide) {

    static SourcePrefix of(InetAddress address, RegistryHttpSettings s) {
        boolean v4 = address instanceof Inet4Address;
        byte[] bytes = address.getAddress();
        return new SourcePrefix(cut(bytes, v4 ? s.prefixIpv4() : s.prefixIpv6()),
                cut(bytes, v4 ? s.widePrefixIpv4() : s.widePrefixIpv6()));
    }

    /** {@return the first bits of an address as {@code address/bits}} */
    static String cut(byte[] address, int bits) {
        byte[] masked = new byte[address.length];
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.clamp(bits - 8L * i, 0, 8);
            masked[i] = (byte) (address[i] & (0xff00 >> keep));
        }
        try {
            return InetAddress.getByAddress(masked).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + address.length + " bytes", e);
        }
    }
}
