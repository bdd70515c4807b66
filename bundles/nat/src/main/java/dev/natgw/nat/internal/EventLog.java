package dev.natgw.nat.internal;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatEvents;
import dev.natgw.nat.fastpath.EventRing;
import dev.natgw.nat.fastpath.NatEngine;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NAT event log (RFC 6888 REQ-12): a daemon thread that drains the workers' event rings every 100 ms into the
 * {@value NatEvents#LOGGER_NAME} logger, one line per mapping created or deleted or session refused, and runs a
 * periodic task of its owner. A ring has one consumer at a time: this thread and a control thread that drains at
 * detach take the ring's monitor.
 */
public final class EventLog implements AutoCloseable {
    private static final Logger EVENTS = LoggerFactory.getLogger(NatEvents.LOGGER_NAME);

    private final Supplier<NatEngine> live;
    private final BooleanSupplier enabled;
    private final Runnable periodic;
    private final Thread thread;
    private volatile Consumer<String> lines = EVENTS::info;
    private volatile boolean running = true;

    /**
     * Starts the logging thread.
     *
     * @param live the engine attached now, or null
     * @param enabled whether the event log is on (read per event)
     * @param periodic run on the thread after each drain
     */
    public EventLog(Supplier<NatEngine> live, BooleanSupplier enabled, Runnable periodic) {
        this.live = live;
        this.enabled = enabled;
        this.periodic = periodic;
        this.thread = Thread.ofPlatform().name("natgw-nat-events").daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Sends the lines somewhere else than the logger; for tests.
     *
     * @param lines receives each line, on the logging thread
     */
    public void setLines(Consumer<String> lines) {
        this.lines = lines;
    }

    /** Stops the thread, waiting up to 2 s. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            NatEngine e = live.get();
            if (e != null) {
                drain(e);
            }
            periodic.run();
            LockSupport.parkNanos(100_000_000L);
        }
    }

    /**
     * Writes the events the engine's workers recorded so far; on the logging thread, or on a control thread at
     * detach and for tests.
     *
     * @param e the engine
     */
    public void drain(NatEngine e) {
        for (int w = 0; w < e.workers(); w++) {
            EventRing ring = e.worker(w).events();
            synchronized (ring) {
                // the detach path and the logging thread may both drain; the ring has one consumer at a time
                ring.drain(this::log, 65_536);
            }
        }
    }

    private void log(int type, int proto, int slot, int inAddr, int inPort, int outAddr, int outPort,
            long epochMillis) {
        Consumer<String> out = lines;
        if (!enabled.getAsBoolean()) {
            return;
        }
        String what = switch (type) {
            case EventRing.CREATED -> "mapping-created";
            case EventRing.DELETED -> "mapping-deleted";
            case EventRing.REFUSED_EXHAUSTED -> "refused-exhausted";
            default -> "refused-quota";
        };
        String p = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : "proto-" + proto;
        // RFC 6888 REQ-12: inside and outside endpoints and the time, never the remote
        out.accept(Instant.ofEpochMilli(epochMillis) + " " + what + " " + p + " inside=" + Ipv4.format(inAddr) + ":"
                + inPort + " outside=" + Ipv4.format(outAddr) + ":" + outPort);
    }
}
