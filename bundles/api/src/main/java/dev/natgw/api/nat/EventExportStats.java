package dev.natgw.api.nat;

import java.util.List;
import java.util.Objects;

/**
 * The NAT event export's counters at one moment (IPFIX to collectors, syslog to servers), since the export's
 * configuration last changed: a new configuration starts them at 0.
 *
 * @param queued events waiting for the sending thread
 * @param queueFull events lost because the queue was full
 * @param exported events taken from the queue and sent (or lost per collector, below)
 * @param syslogSent syslog messages sent
 * @param syslogLost syslog messages the socket did not take
 * @param collectors each IPFIX collector
 * @since 1.5
 */
public record EventExportStats(long queued, long queueFull, long exported, long syslogSent, long syslogLost,
        List<Collector> collectors) {
    /** Validates and copies the list. */
    public EventExportStats {
        Checks.nonNegative("queued", queued);
        Checks.nonNegative("queueFull", queueFull);
        Checks.nonNegative("exported", exported);
        Checks.nonNegative("syslogSent", syslogSent);
        Checks.nonNegative("syslogLost", syslogLost);
        collectors = List.copyOf(collectors);
    }

    /**
     * One IPFIX collector's counters.
     *
     * @param address host:port
     * @param transport {@code ipfix-udp} or {@code ipfix-tcp}
     * @param messages messages handed to the socket
     * @param records data records in them
     * @param lost data records lost: connection down, send buffer full, or a send error
     * @param state what the last send did, in words
     */
    public record Collector(String address, String transport, long messages, long records, long lost,
            String state) {
        /** Validates. */
        public Collector {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(state, "state");
            Checks.nonNegative("messages", messages);
            Checks.nonNegative("records", records);
            Checks.nonNegative("lost", lost);
        }
    }
}
