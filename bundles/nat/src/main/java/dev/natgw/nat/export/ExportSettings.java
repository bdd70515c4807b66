package dev.natgw.nat.export;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checked export settings: what an {@link ExportConfig} means once every value is usable. Immutable.
 *
 * @param collectors the IPFIX collectors, at most {@value #MAX_TARGETS}
 * @param tcp whether IPFIX goes over TCP instead of UDP
 * @param domain the observation domain id, 0..2^32-1
 * @param templateRefreshSeconds seconds between template sets over UDP, at least 1
 * @param messageSize the largest IPFIX message, 256..65535
 * @param syslog the syslog servers, at most {@value #MAX_TARGETS}
 * @param facility the syslog facility, 0..23
 * @param hostName the syslog HOSTNAME
 * @param queueSize the events waiting for the sending thread, at least 1
 */
public record ExportSettings(List<InetSocketAddress> collectors, boolean tcp, long domain,
        int templateRefreshSeconds, int messageSize, List<InetSocketAddress> syslog, int facility, String hostName,
        int queueSize) {

    /** The configuration PID, which every message of {@link #of} starts with. */
    public static final String PID = "dev.natgw.nat.export";
    /** The most collectors, and the most syslog servers. */
    public static final int MAX_TARGETS = 8;

    /** Validates. */
    public ExportSettings {
        collectors = List.copyOf(collectors);
        syslog = List.copyOf(syslog);
        Objects.requireNonNull(hostName, "hostName");
        if (collectors.size() > MAX_TARGETS || syslog.size() > MAX_TARGETS || domain < 0 || domain > 0xffffffffL
                || templateRefreshSeconds < 1 || messageSize < 256 || messageSize > 65535 || facility < 0
                || facility > 23 || queueSize < 1) {
            throw new IllegalArgumentException("invalid export settings: " + collectors + ", " + syslog + ", domain "
                    + domain + ", refresh " + templateRefreshSeconds + ", size " + messageSize + ", facility "
                    + facility + ", queue " + queueSize);
        }
    }

    /**
     * Checks a configuration.
     *
     * @param c the configuration
     * @return the settings
     * @throws IllegalArgumentException naming the PID and the field
     */
    public static ExportSettings of(ExportConfig c) {
        String transport = c.ipfix_transport() == null ? "" : c.ipfix_transport().trim();
        if (!transport.equals("UDP") && !transport.equals("TCP")) {
            throw bad("ipfix.transport", "must be UDP or TCP, was '" + transport + "'");
        }
        check(c.ipfix_observation_domain() >= 0 && c.ipfix_observation_domain() <= 0xffffffffL,
                "ipfix.observation.domain", "must be 0..4294967295, was " + c.ipfix_observation_domain());
        check(c.ipfix_template_refresh() >= 1 && c.ipfix_template_refresh() <= 3600, "ipfix.template.refresh",
                "must be 1..3600, was " + c.ipfix_template_refresh());
        check(c.ipfix_message_size() >= 256 && c.ipfix_message_size() <= 65535, "ipfix.message.size",
                "must be 256..65535, was " + c.ipfix_message_size());
        check(c.syslog_facility() >= 0 && c.syslog_facility() <= 23, "syslog.facility",
                "must be 0..23, was " + c.syslog_facility());
        check(c.queue_size() >= 1 && c.queue_size() <= 4_194_304, "queue.size",
                "must be 1..4194304, was " + c.queue_size());
        String host = c.syslog_hostname() == null ? "" : c.syslog_hostname().trim();
        if (host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "-";
            }
        }
        return new ExportSettings(targets("ipfix.collectors", c.ipfix_collectors()), transport.equals("TCP"),
                c.ipfix_observation_domain(), c.ipfix_template_refresh(), c.ipfix_message_size(),
                targets("syslog.servers", c.syslog_servers()), c.syslog_facility(), host, c.queue_size());
    }

    /**
     * Parses host:port targets, skipping blanks.
     *
     * @param field the attribute, for messages
     * @param texts the values
     * @return the resolved addresses
     */
    static List<InetSocketAddress> targets(String field, String[] texts) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (texts == null) {
            return out;
        }
        for (String raw : texts) {
            for (String t : raw.split(",")) {
                String s = t.trim();
                if (s.isEmpty()) {
                    continue;
                }
                int colon = s.lastIndexOf(':');
                check(colon > 0 && colon < s.length() - 1, field, "'" + s + "' is not host:port");
                String host = s.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                int port;
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw bad(field, "'" + s + "' has no port number");
                }
                check(port >= 1 && port <= 65535, field, "'" + s + "': port must be 1..65535");
                InetSocketAddress a = new InetSocketAddress(host, port);
                check(!a.isUnresolved(), field, "'" + s + "': cannot resolve " + host);
                out.add(a);
                check(out.size() <= MAX_TARGETS, field, "at most " + MAX_TARGETS + " targets");
            }
        }
        return out;
    }

    private static void check(boolean ok, String field, String what) {
        if (!ok) {
            throw bad(field, what);
        }
    }

    private static IllegalArgumentException bad(String field, String what) {
        return new IllegalArgumentException(PID + ": " + field + " " + what);
    }
}
