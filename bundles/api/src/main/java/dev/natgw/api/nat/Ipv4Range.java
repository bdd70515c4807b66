package dev.natgw.api.nat;

/**
 * An inclusive range of IPv4 addresses, compared unsigned ({@link Ipv4} explains the {@code int}
 * form).
 *
 * @param first the lowest address
 * @param last the highest address, not below first
 */
public record Ipv4Range(int first, int last) {
    /** Validates. */
    public Ipv4Range {
        if (Integer.compareUnsigned(first, last) > 0) {
            throw new IllegalArgumentException(
                    "first must not be above last, was " + Ipv4.format(first) + " > " + Ipv4.format(last));
        }
    }

    /**
     * Parses a range as {@code "198.19.0.10-198.19.0.20"}, a single address {@code "198.19.0.10"}, or a
     * CIDR block {@code "198.19.0.0/28"} (prefix 0..32, no host bits set). Addresses are parsed by
     * {@link Ipv4#parse}.
     *
     * @param text the range
     * @return the range
     * @throws IllegalArgumentException quoting the text if it is none of these
     */
    public static Ipv4Range parse(String text) {
        int dash = text.indexOf('-');
        if (dash >= 0) {
            int first = Ipv4.parse(text.substring(0, dash));
            int last = Ipv4.parse(text.substring(dash + 1));
            if (Integer.compareUnsigned(first, last) > 0) {
                throw new IllegalArgumentException("range \"" + text + "\" runs backwards");
            }
            return new Ipv4Range(first, last);
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            int address = Ipv4.parse(text);
            return new Ipv4Range(address, address);
        }
        int address = Ipv4.parse(text.substring(0, slash));
        String prefixText = text.substring(slash + 1);
        if (!prefixText.matches("0|[1-9][0-9]?") || Integer.parseInt(prefixText) > 32) {
            throw new IllegalArgumentException("prefix length of \"" + text + "\" must be 0..32");
        }
        int prefix = Integer.parseInt(prefixText);
        int hostMask = prefix == 0 ? -1 : (1 << (32 - prefix)) - 1;
        if ((address & hostMask) != 0) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set");
        }
        return new Ipv4Range(address, address | hostMask);
    }

    /** {@return the number of addresses, 1..2^32} */
    public long size() {
        return Integer.toUnsignedLong(last) - Integer.toUnsignedLong(first) + 1;
    }

    /**
     * Tells whether an address lies in the range.
     *
     * @param address the address
     * @return true if first &lt;= address &lt;= last, unsigned
     */
    public boolean contains(int address) {
        return Integer.compareUnsigned(address, first) >= 0 && Integer.compareUnsigned(address, last) <= 0;
    }

    /**
     * Tells whether the two ranges share an address.
     *
     * @param other the other range
     * @return true if they overlap
     */
    public boolean overlaps(Ipv4Range other) {
        return Integer.compareUnsigned(first, other.last) <= 0 && Integer.compareUnsigned(other.first, last) <= 0;
    }

    /**
     * {@return {@code "a.b.c.d"} for one address, else {@code "a.b.c.d-e.f.g.h"}, which {@link #parse}
     * reads back}
     */
    @Override
    public String toString() {
        return first == last ? Ipv4.format(first) : Ipv4.format(first) + "-" + Ipv4.format(last);
    }
}
