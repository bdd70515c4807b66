package dev.natgw.nat.fastpath;

import dev.natgw.api.nat.Ipv4Range;
import java.util.List;

/**
 * The address ranges inside hosts may send from (source validation, as unicast RPF does on a router): an inside
 * packet from any other source is dropped as {@code source-not-inside} before it can take a port, a session or a
 * host entry. Immutable; {@link #contains} is allocation-free and safe from any thread.
 */
public final class InsidePrefixes {
    /** The most ranges: a linear scan over them stays a few nanoseconds. */
    public static final int MAX = 64;

    /** Every address is inside: no validation. */
    public static final InsidePrefixes ANY = new InsidePrefixes(List.of(new Ipv4Range(0, -1)));

    // bounds with the sign bit flipped, so a signed comparison orders them as unsigned addresses
    private final int[] first;
    private final int[] last;

    /**
     * Makes the table.
     *
     * @param ranges the ranges, 1..{@link #MAX}
     * @throws IllegalArgumentException if there are none or more than {@link #MAX}
     */
    public InsidePrefixes(List<Ipv4Range> ranges) {
        if (ranges.isEmpty() || ranges.size() > MAX) {
            throw new IllegalArgumentException("inside prefixes must be 1.." + MAX + " ranges, were " + ranges.size());
        }
        first = new int[ranges.size()];
        last = new int[ranges.size()];
        for (int k = 0; k < first.length; k++) {
            first[k] = ranges.get(k).first() ^ Integer.MIN_VALUE;
            last[k] = ranges.get(k).last() ^ Integer.MIN_VALUE;
        }
    }

    /**
     * Tells whether an address lies in one of the ranges.
     *
     * @param address the address
     * @return whether it is inside
     */
    public boolean contains(int address) {
        int a = address ^ Integer.MIN_VALUE;
        for (int k = 0; k < first.length; k++) {
            if (a >= first[k] && a <= last[k]) {
                return true;
            }
        }
        return false;
    }
}
