package dev.natgw.nat.fastpath;

/**
 * The bounds of each worker's fragment state ({@link Fragments}), immutable. The sizes take effect when the
 * dataplane next attaches the translator; the timeout and the per-datagram bound at once.
 *
 * @param states datagrams each worker tracks at once, 0 to drop every TCP, UDP and ICMP fragment
 * @param held fragments each worker holds while their datagram's first fragment is missing
 * @param perDatagram the most fragments of one datagram, 2..{@link #MAX_PER_DATAGRAM}
 * @param timeoutNanos how long a datagram's state lives from its first fragment seen, positive
 */
public record FragmentLimits(int states, int held, int perDatagram, long timeoutNanos) {
    /** The most datagrams a worker may track. */
    public static final int MAX_STATES = 1 << 20;
    /** The most fragments a worker may hold. */
    public static final int MAX_HELD = 1 << 16;
    /** The most fragments of one datagram the bound may allow: a 65,535-byte datagram in 64-byte fragments. */
    public static final int MAX_PER_DATAGRAM = 1024;
    /** The limits of a worker when nothing else is configured: 1,024 datagrams, 256 held, 64 each, 5 s. */
    public static final FragmentLimits DEFAULTS = new FragmentLimits(1024, 256, 64, 5_000_000_000L);

    /** Validates. */
    public FragmentLimits {
        if (states < 0 || states > MAX_STATES || held < 0 || held > MAX_HELD || perDatagram < 2
                || perDatagram > MAX_PER_DATAGRAM || timeoutNanos <= 0) {
            throw new IllegalArgumentException("fragment limits out of range: states " + states + " (0.."
                    + MAX_STATES + "), held " + held + " (0.." + MAX_HELD + "), per datagram " + perDatagram + " (2.."
                    + MAX_PER_DATAGRAM + "), timeout " + timeoutNanos + " ns (> 0)");
        }
    }
}
