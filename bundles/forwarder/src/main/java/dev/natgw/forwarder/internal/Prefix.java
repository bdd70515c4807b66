package dev.natgw.forwarder.internal;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An address prefix that limits are counted by: the narrow one (an IPv4 address, /32, or an IPv6 /64, what one
 * subscriber is given) and the wide one (an IPv4 /24 or an IPv6 /48, what one site is given). Counting IPv6 by exact
 * address would let the holder of one /64 pass for 2^64 sources. Immutable.
 *
 * @param v6 whether the prefix is IPv6
 * @param bits the prefix length
 * @param high the address's first 64 bits (IPv4: the address in the low 32 bits), masked to the prefix
 */
record Prefix(boolean v6, int bits, long high) {

    /** {@return the narrow prefix of an address: IPv4 /32, IPv6 /64} */
    static Prefix narrow(InetAddress a) {
        return of(a, a instanceof Inet4Address ? 32 : 64);
    }

    /** {@return the wide prefix of an address: IPv4 /24, IPv6 /48} */
    static Prefix wide(InetAddress a) {
        return of(a, a instanceof Inet4Address ? 24 : 48);
    }

    private static Prefix of(InetAddress a, int bits) {
        byte[] b = a.getAddress();
        long v = 0;
        int n = Math.min(8, b.length);
        for (int i = 0; i < n; i++) {
            v = v << 8 | (b[i] & 0xFF);
        }
        // IPv4: 32 bits in the low half; IPv6: its first 64 bits, all that a /64 or /48 needs
        int width = n * 8;
        long mask = bits >= 64 ? -1L : (-1L << (width - bits)) & (width == 64 ? -1L : 0xFFFF_FFFFL);
        return new Prefix(b.length == 16, bits, v & mask);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (v6) {
            for (int i = 0; i < bits / 16; i++) {
                sb.append(Long.toHexString(high >>> (48 - 16 * i) & 0xFFFF)).append(':');
            }
            sb.append(':');
        } else {
            for (int i = 0; i < 4; i++) {
                sb.append(i == 0 ? "" : ".").append(high >>> (24 - 8 * i) & 0xFF);
            }
        }
        return sb.append('/').append(bits).toString();
    }
}
