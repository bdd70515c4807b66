package dev.natgw.console.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's one clock thread: once a second it runs every subscriber (a view that refreshes and pushes, the
 * rate sampler). Owned by the bundle's component and stopped with it; a subscriber that throws is logged and kept.
 */
public final class Ticker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ticker.class);

    private final CopyOnWriteArrayList<Runnable> subscribers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService clock;

    /**
     * Starts the clock.
     *
     * @param periodMillis the period
     */
    // tick() catches each subscriber's failure, so the schedule never ends by an exception; close() ends it
    @SuppressWarnings("FutureReturnValueIgnored")
    public Ticker(long periodMillis) {
        clock = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("natgw-console-tick")
                .daemon().unstarted(r));
        clock.scheduleAtFixedRate(this::tick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        for (Runnable r : subscribers) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.debug("console refresh failed", e);
            }
        }
    }

    /**
     * Runs a task every tick until the returned handle is closed.
     *
     * @param task the task, quick
     * @return closes the subscription
     */
    public AutoCloseable subscribe(Runnable task) {
        subscribers.add(task);
        return () -> subscribers.remove(task);
    }

    /** {@return how many subscribers there are now} */
    public int subscribers() {
        return subscribers.size();
    }

    /** Stops the thread and waits for it, at most 5 s. */
    @Override
    public void close() {
        subscribers.clear();
        clock.shutdownNow();
        try {
            clock.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
