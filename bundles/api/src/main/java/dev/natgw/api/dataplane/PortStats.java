package dev.natgw.api.dataplane;

import java.util.List;

/**
 * Counters of one port since it started, as the NIC reports them; all counts are non-negative.
 *
 * @param port the port's name
 * @param rxPackets packets received
 * @param rxBytes bytes received
 * @param txPackets packets sent
 * @param txBytes bytes sent
 * @param rxDropped received packets dropped for lack of room (queue full or no buffer)
 * @param txDropped packets that could not be sent (transmit queue full)
 * @param rxErrors received packets with errors (bad CRC, too long)
 * @param queues the per-queue counters, where the NIC reports them; may be empty
 */
public record PortStats(String port, long rxPackets, long rxBytes, long txPackets, long txBytes, long rxDropped,
        long txDropped, long rxErrors, List<QueueStats> queues) {
    /** Validates and copies the queue list. */
    public PortStats {
        Checks.notBlank("port", port);
        Checks.nonNegative("rxPackets", rxPackets);
        Checks.nonNegative("rxBytes", rxBytes);
        Checks.nonNegative("txPackets", txPackets);
        Checks.nonNegative("txBytes", txBytes);
        Checks.nonNegative("rxDropped", rxDropped);
        Checks.nonNegative("txDropped", txDropped);
        Checks.nonNegative("rxErrors", rxErrors);
        queues = List.copyOf(queues);
    }
}
