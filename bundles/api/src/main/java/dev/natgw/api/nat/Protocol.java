package dev.natgw.api.nat;

/**
 * The IP protocols the translator keeps sessions for. Packets of other protocols are not sessions:
 * they are handled by the {@link OtherProtocolPolicy} and show up only in counters.
 */
public enum Protocol {
    /** Transmission Control Protocol, IP protocol 6. */
    TCP(6),
    /** User Datagram Protocol, IP protocol 17. */
    UDP(17),
    /** ICMP queries (echo), IP protocol 1; the echo identifier plays the part of the port. */
    ICMP(1);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** {@return the IP protocol number, as in the IPv4 header's protocol field} */
    public int number() {
        return number;
    }

    /**
     * Returns the protocol of an IP protocol number.
     *
     * @param number the IPv4 header's protocol field
     * @return the protocol
     * @throws IllegalArgumentException if it is not 1, 6 or 17
     */
    public static Protocol ofNumber(int number) {
        return switch (number) {
            case 6 -> TCP;
            case 17 -> UDP;
            case 1 -> ICMP;
            default -> throw new IllegalArgumentException("protocol must be 1 (ICMP), 6 (TCP) or 17 (UDP), was "
                    + number);
        };
    }
}
