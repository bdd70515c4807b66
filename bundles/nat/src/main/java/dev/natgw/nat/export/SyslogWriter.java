package dev.natgw.nat.export;

import dev.natgw.nat.internal.EventNames;
import dev.natgw.api.nat.Ipv4;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats NAT events as syslog messages (RFC 5424), one per datagram (RFC 5426): priority local facility and
 * severity informational, UTC timestamp in milliseconds, the appliance's host name, APP-NAME {@code natgw}, the
 * event as MSGID and the same text as the event log as MSG. Not thread-safe: the exporting thread owns it.
 */
final class SyslogWriter {
    /** Severity informational (RFC 5424 table 2). */
    private static final int SEVERITY_INFO = 6;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final String head;
    private final ByteBuffer buf = ByteBuffer.allocate(1024);

    /**
     * Makes a writer.
     *
     * @param facility the syslog facility, 0..23 (16..23 are local0..local7)
     * @param hostName the HOSTNAME field; characters outside printable ASCII become '?', at most 255 kept
     */
    SyslogWriter(int facility, String hostName) {
        if (facility < 0 || facility > 23) {
            throw new IllegalArgumentException("facility must be 0..23, was " + facility);
        }
        String h = printable(hostName == null || hostName.isBlank() ? "-" : hostName, 255);
        this.head = "<" + (facility * 8 + SEVERITY_INFO) + ">1 ";
        this.host = " " + h + " natgw " + ProcessHandle.current().pid() + " ";
    }

    private final String host;

    /**
     * Formats one event.
     *
     * @return the message, valid until the next call
     */
    ByteBuffer event(int type, int proto, String poolName, int inAddr, int inPort, int outAddr, int outPort,
            long millis) {
        String msgId = EventNames.name(type);
        if (EventNames.isBlock(type)) {
            // one line per block: inPort carries its size, outPort its first port
            StringBuilder b = new StringBuilder(160).append(head).append(TIME.format(Instant.ofEpochMilli(millis)))
                    .append(host).append(msgId).append(" - inside=").append(Ipv4.format(inAddr)).append(" outside=")
                    .append(Ipv4.format(outAddr)).append(':').append(outPort).append('-').append(outPort + inPort - 1);
            return finish(b, poolName);
        }
        StringBuilder b = new StringBuilder(160).append(head).append(TIME.format(Instant.ofEpochMilli(millis)))
                .append(host).append(msgId).append(" - ").append(EventNames.protocol(proto)).append(" inside=")
                .append(Ipv4.format(inAddr)).append(':').append(inPort);
        if (outAddr != 0 || outPort != 0) {
            b.append(" outside=").append(Ipv4.format(outAddr)).append(':').append(outPort);
        }
        return finish(b, poolName);
    }

    private ByteBuffer finish(StringBuilder b, String poolName) {
        if (poolName != null) {
            b.append(" pool=").append(printable(poolName, IpfixFormat.POOL_NAME_MAX));
        }
        buf.clear();
        byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
        buf.put(bytes, 0, Math.min(bytes.length, buf.capacity()));
        return buf.flip();
    }

    /** Replaces anything but printable ASCII (RFC 5424 PRINTUSASCII) and cuts to max characters. */
    static String printable(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c > 32 && c < 127 ? c : '?');
        }
        return b.toString();
    }
}
