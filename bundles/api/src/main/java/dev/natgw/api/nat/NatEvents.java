package dev.natgw.api.nat;

/**
 * The NAT event log that RFC 6888 asks a carrier-grade NAT to keep, so an outside address and port
 * at a given time can be traced back to an inside host. The translator writes one line per mapping
 * created or deleted, and per refusal for exhaustion or quota, to a dedicated SLF4J logger, so
 * operators can route it to its own file in Karaf's logging configuration. Remote endpoints are not
 * logged (RFC 6888 REQ-12).
 *
 * <p>
 * Mappings are made on packet workers, which may not log or allocate: a worker records each event in a
 * bounded ring of its own, and a logging thread drains the rings and writes the lines (from
 * {@link dev.natgw.api.dataplane.PacketStage#tick(int, long)} or its own thread). When a ring is full the
 * event is counted as lost, never waited for; the counter is part of {@link NatCounters#drops()} under
 * {@code "event-log-full"}.
 */
public final class NatEvents {
    /** The name of the logger the NAT events are written to. */
    public static final String LOGGER_NAME = "dev.natgw.nat.events";

    private NatEvents() {
    }
}
