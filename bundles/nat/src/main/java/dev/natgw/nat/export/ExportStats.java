package dev.natgw.nat.export;

import java.util.List;

/**
 * The export counters at one moment.
 *
 * @param queued events waiting for the sending thread
 * @param queueFull events lost because the queue was full
 * @param exported events taken from the queue and sent (or lost per target, below)
 * @param syslogSent syslog messages sent
 * @param syslogLost syslog messages the socket did not take
 * @param collectors each IPFIX collector
 */
public record ExportStats(long queued, long queueFull, long exported, long syslogSent, long syslogLost,
        List<Target> collectors) {
    /**
     * One collector's counters.
     *
     * @param address host:port
     * @param transport ipfix-udp or ipfix-tcp
     * @param messages messages handed to the socket
     * @param records data records in them
     * @param lost data records lost: connection down, send buffer full, or a send error
     * @param state what the last send did
     */
    public record Target(String address, String transport, long messages, long records, long lost, String state) {
    }
}
