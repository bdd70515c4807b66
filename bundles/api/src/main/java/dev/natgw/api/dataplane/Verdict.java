package dev.natgw.api.dataplane;

/**
 * What happens to a packet of a {@link PacketBurst} once the stages are done with it. Plain
 * {@code byte} constants, not an enum, so the per-slot verdict array stays primitive on the fast
 * path.
 */
public final class Verdict {
    /**
     * Not decided: the next stage sees the packet. After the last stage the dataplane drops it and
     * counts it as "no stage took it". Every slot starts with this verdict.
     */
    public static final byte PASS = 0;
    /** Drop the packet; the dataplane frees its buffer. */
    public static final byte DROP = 1;
    /** Transmit the packet, as the stages left it, on the inside port. */
    public static final byte TX_INSIDE = 2;
    /** Transmit the packet, as the stages left it, on the outside port. */
    public static final byte TX_OUTSIDE = 3;
    /**
     * A stage took ownership of the packet (for example it handed it to another worker's ring); the
     * dataplane must neither free nor transmit it.
     */
    public static final byte STOLEN = 4;
    /**
     * Hand the packet to another worker, the one that owns its flow (for example the NAT session reached
     * through an endpoint-independent mapping from a new remote, or an ICMP error about a flow of another
     * core). Set only through {@link PacketBurst#setHandoff(int, int)}, which names the target worker. The
     * dataplane moves the packet through a bounded single-producer ring to that worker, which runs it through
     * the stages again from the first one, with {@link PacketBurst#handedOffFrom(int)} naming the sender; when
     * the ring is full the packet is dropped and counted, never waited for.
     */
    public static final byte HANDOFF = 5;

    private Verdict() {
    }

    /**
     * Tells whether a byte is one of the verdicts. Allocation-free.
     *
     * @param verdict the byte to test
     * @return true for {@link #PASS}, {@link #DROP}, {@link #TX_INSIDE}, {@link #TX_OUTSIDE},
     * {@link #STOLEN} and {@link #HANDOFF}
     */
    public static boolean isValid(byte verdict) {
        return verdict >= PASS && verdict <= HANDOFF;
    }

    /**
     * Names a verdict for logs and tests; not for the fast path.
     *
     * @param verdict a verdict byte
     * @return its constant's name, such as {@code "TX_OUTSIDE"}, or {@code "INVALID(7)"}
     */
    public static String name(byte verdict) {
        return switch (verdict) {
            case PASS -> "PASS";
            case DROP -> "DROP";
            case TX_INSIDE -> "TX_INSIDE";
            case TX_OUTSIDE -> "TX_OUTSIDE";
            case STOLEN -> "STOLEN";
            case HANDOFF -> "HANDOFF";
            default -> "INVALID(" + verdict + ")";
        };
    }
}
