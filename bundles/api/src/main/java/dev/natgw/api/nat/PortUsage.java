package dev.natgw.api.nat;

import java.util.Objects;

/**
 * How much of one outside address of a pool one worker uses. Every worker owns a share of each address's
 * ports; the pairs are counted over the three separate spaces of TCP ports, UDP ports and ICMP identifiers.
 * A pair is busy while mapped, during its hold-down after, and while a static mapping reserves it.
 *
 * @param pool the pool's name
 * @param address the outside address ({@link Ipv4} explains the {@code int} form)
 * @param worker the worker, at least 0
 * @param portsTotal the pairs of this address the worker owns, at least 0
 * @param portsInUse the busy ones, 0..portsTotal
 * @param portsHeld the busy ones in hold-down, 0..portsInUse (since 1.2)
 */
public record PortUsage(String pool, int address, int worker, long portsTotal, long portsInUse, long portsHeld) {
    /** Validates. */
    public PortUsage {
        Objects.requireNonNull(pool, "pool");
        Checks.nonNegative("worker", worker);
        Checks.nonNegative("portsTotal", portsTotal);
        if (portsInUse < 0 || portsInUse > portsTotal) {
            throw new IllegalArgumentException("portsInUse must be 0.." + portsTotal + ", was " + portsInUse);
        }
        if (portsHeld < 0 || portsHeld > portsInUse) {
            throw new IllegalArgumentException("portsHeld must be 0.." + portsInUse + ", was " + portsHeld);
        }
    }

    /**
     * The form of version 1.1, without a figure for hold-down: none counted as held.
     *
     * @param pool the pool's name
     * @param address the outside address
     * @param worker the worker
     * @param portsTotal the pairs of this address the worker owns
     * @param portsInUse the busy ones
     */
    public PortUsage(String pool, int address, int worker, long portsTotal, long portsInUse) {
        this(pool, address, worker, portsTotal, portsInUse, 0);
    }

    /** {@return the busy pairs not in hold-down: mapped, or reserved for a static mapping} */
    public long portsMapped() {
        return portsInUse - portsHeld;
    }

    /** {@return the pairs free for new sessions} */
    public long portsFree() {
        return portsTotal - portsInUse;
    }
}
