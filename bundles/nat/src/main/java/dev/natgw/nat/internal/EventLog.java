package dev.natgw.nat.internal;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatEvents;
import dev.natgw.nat.fastpath.EventRing;
import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.fastpath.PoolRuntime;
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
 * periodic task of its owner, and hands each event to the {@link NatEventSink}s bound (IPFIX and syslog export), which
 * never block. A ring has one consumer at a time: this thread and a control thread that drains at
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
    private volatile NatEventSink[] sinks = new NatEventSink[0];

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

    /**
     * Adds a consumer of every event drained, whether or not the text log is on.
     *
     * @param sink the consumer; thread-safe and non-blocking
     */
    public synchronized void addSink(NatEventSink sink) {
        NatEventSink[] s = java.util.Arrays.copyOf(sinks, sinks.length + 1);
        s[s.length - 1] = sink;
        sinks = s;
    }

    /**
     * Removes a consumer.
     *
     * @param sink the consumer
     */
    public synchronized void removeSink(NatEventSink sink) {
        sinks = java.util.Arrays.stream(sinks).filter(x -> x != sink).toArray(NatEventSink[]::new);
    }

    /** Stops the thread, waiting up to 2 s. */
    @Override
    public void close() {
        running = false;
        Threads.awaitEnd(thread);
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
        PoolRuntime[] pools = e.snapshot().slots();
        EventRing.Sink sink = (type, proto, slot, inAddr, inPort, outAddr, outPort, epochMillis) -> log(type, proto,
                slot, slot < pools.length && pools[slot] != null ? pools[slot].definition().name() : null, inAddr,
                inPort, outAddr, outPort, epochMillis);
        for (int w = 0; w < e.workers(); w++) {
            EventRing ring = e.worker(w).events();
            synchronized (ring) {
                // the detach path and the logging thread may both drain; the ring has one consumer at a time
                ring.drain(sink, 65_536);
            }
        }
    }

    private void log(int type, int proto, int slot, String pool, int inAddr, int inPort, int outAddr, int outPort,
            long epochMillis) {
        for (NatEventSink s : sinks) {
            s.event(type, proto, slot, pool, inAddr, inPort, outAddr, outPort, epochMillis);
        }
        Consumer<String> out = lines;
        if (!enabled.getAsBoolean()) {
            return;
        }
        String what = EventNames.name(type);
        String p = EventNames.protocol(proto);
        if (EventNames.isBlock(type)) {
            // one line per block: the subscriber, the address and the ports it holds
            out.accept(Instant.ofEpochMilli(epochMillis) + " " + what + " inside=" + Ipv4.format(inAddr)
                    + " outside=" + Ipv4.format(outAddr) + ":" + outPort + "-" + (outPort + inPort - 1)
                    + (pool == null ? "" : " pool=" + pool));
            return;
        }
        // RFC 6888 REQ-12: inside and outside endpoints and the time, never the remote
        out.accept(Instant.ofEpochMilli(epochMillis) + " " + what + " " + p + " inside=" + Ipv4.format(inAddr) + ":"
                + inPort + " outside=" + Ipv4.format(outAddr) + ":" + outPort);
    }
}
