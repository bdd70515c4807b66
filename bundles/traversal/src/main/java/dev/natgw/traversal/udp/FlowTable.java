package dev.natgw.traversal.udp;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flows of one {@link UdpForward} or {@link UdpExpose}, at most {@link UdpLimits#maxFlows()}, and the virtual
 * thread that ends those quiet too long.
 */
final class FlowTable<K> implements AutoCloseable {
    private final ConcurrentHashMap<K, Flow> flows = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final UdpLimits limits;
    private final long slackNanos;
    private final UdpCounters counters;
    private final Thread reaper;
    private volatile boolean closed;

    /** @param slack how much longer than limits a flow may stay quiet here */
    FlowTable(String name, UdpLimits limits, Duration slack, UdpCounters counters) {
        this.limits = limits;
        this.slackNanos = slack.toNanos();
        this.counters = counters;
        this.reaper = Thread.ofVirtual().name(name).start(this::reap);
    }

    Flow get(K key) {
        return flows.get(key);
    }

    int size() {
        return size.get();
    }

    /**
     * Adds flow under key unless the table is full or closed (counted as refused).
     *
     * @return whether it was added
     */
    boolean add(K key, Flow flow) {
        while (true) {
            int n = size.get();
            if (closed || n >= limits.maxFlows()) {
                counters.flowsRefused.incrementAndGet();
                return false;
            }
            if (size.compareAndSet(n, n + 1)) {
                break;
            }
        }
        if (flows.putIfAbsent(key, flow) != null) {
            size.decrementAndGet();
            throw new IllegalStateException("a flow for " + key + " exists");
        }
        counters.flowsOpened.incrementAndGet();
        if (closed) {
            // closed meanwhile: close() may have missed it
            flow.end();
            return false;
        }
        return true;
    }

    /** Removes flow if it is the one under key. */
    void remove(K key, Flow flow) {
        if (flows.remove(key, flow)) {
            size.decrementAndGet();
        }
    }

    private void reap() {
        long tick = Math.clamp(Math.min(limits.idleTimeout().toMillis(), limits.exchangeTimeout().toMillis()) / 4,
                20, 1000);
        try {
            while (!closed) {
                Thread.sleep(tick);
                long now = System.nanoTime();
                for (Flow f : flows.values()) {
                    if (f.quietTooLong(now - slackNanos, limits) && f.end()) {
                        counters.flowsIdle.incrementAndGet();
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Ends every flow and the reaper. */
    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
        for (Flow f : flows.values()) {
            f.end();
        }
    }
}
