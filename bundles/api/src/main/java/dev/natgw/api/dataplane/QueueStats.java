package dev.natgw.api.dataplane;

/**
 * Counters of one queue of a port since the port started; all counts are non-negative.
 *
 * @param queue the queue number, at least 0
 * @param rxPackets packets received on the receive queue
 * @param rxBytes bytes received on the receive queue
 * @param txPackets packets sent on the transmit queue of the same number
 * @param txBytes bytes sent on that transmit queue
 * @param rxDropped packets the NIC dropped because the receive queue was full
 */
public record QueueStats(int queue, long rxPackets, long rxBytes, long txPackets, long txBytes, long rxDropped) {
    /** Validates. */
    public QueueStats {
        Checks.nonNegative("queue", queue);
        Checks.nonNegative("rxPackets", rxPackets);
        Checks.nonNegative("rxBytes", rxBytes);
        Checks.nonNegative("txPackets", txPackets);
        Checks.nonNegative("txBytes", txBytes);
        Checks.nonNegative("rxDropped", rxDropped);
    }
}
