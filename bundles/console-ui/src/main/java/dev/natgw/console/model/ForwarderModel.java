package dev.natgw.console.model;

import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import java.util.List;

/**
 * The Forwarder view's figures: the listener, registered servers with their keys, open relays and throughput. One
 * model per view: throughput is the difference of {@code bytesRelayed} between two reads.
 */
public final class ForwarderModel {
    /** The most relays listed. */
    public static final int RELAYS_SHOWN = 200;

    private long lastBytes = -1;
    private long lastNanos;

    /**
     * Everything the view shows.
     *
     * @param info the listener
     * @param servers registered servers by key
     * @param relays open relays, newest first, at most {@link #RELAYS_SHOWN}
     * @param counters the counters
     * @param bytesPerSecond relayed bytes per second since the previous read, NaN on the first
     */
    public record Snapshot(ForwarderInfo info, List<RegisteredServer> servers, List<RelaySession> relays,
            ForwarderCounters counters, double bytesPerSecond) {
    }

    /**
     * Reads the figures.
     *
     * @param forwarder the forwarder, or null while absent
     * @param nanos a monotonic time
     * @return the figures, or why there are none
     */
    public synchronized Reading<Snapshot> read(ForwarderService forwarder, long nanos) {
        Reading<Snapshot> r = Reading.of(forwarder, "The forwarder (ForwarderService)", f -> {
            ForwarderCounters c = f.counters();
            double rate = Double.NaN;
            if (lastBytes >= 0 && nanos > lastNanos && c.bytesRelayed() >= lastBytes) {
                rate = (c.bytesRelayed() - lastBytes) / ((nanos - lastNanos) / 1e9);
            }
            lastBytes = c.bytesRelayed();
            lastNanos = nanos;
            return new Snapshot(f.info(), f.servers(), f.sessions(RELAYS_SHOWN), c, rate);
        });
        if (!r.present()) {
            lastBytes = -1;
        }
        return r;
    }
}
