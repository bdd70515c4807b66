package dev.natgw.nat.internal;

import dev.natgw.nat.fastpath.EventRing;

/** The names of NAT events and protocols as the event log and syslog print them. */
public final class EventNames {
    private EventNames() {
    }

    /**
     * Names an event type.
     *
     * @param type an {@link EventRing} constant
     * @return its name in the event log
     */
    public static String name(int type) {
        return switch (type) {
            case EventRing.CREATED -> "mapping-created";
            case EventRing.DELETED -> "mapping-deleted";
            case EventRing.REFUSED_EXHAUSTED -> "refused-exhausted";
            default -> "refused-quota";
        };
    }

    /**
     * Names a protocol.
     *
     * @param proto the IP protocol number
     * @return tcp, udp, icmp or proto-N
     */
    public static String protocol(int proto) {
        return proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : "proto-" + proto;
    }
}
