package dev.natgw.registry.internal;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch: takes the snapshots a backend {@link #offer offers} in change order and hands them to the listener on the
 * registry's event thread.
 *
 * <p>
 * At most one delivery per watch is pending: a snapshot offered while another waits replaces it, so a slow listener
 * sees the latest entries rather than a growing queue, and the event queue holds each watch at most once. Calls never
 * overlap for one watch and never go back to an older snapshot. {@link #offer} is safe from any thread;
 * {@link #close} too, and from inside the listener.
 */
public final class Subscription implements Registry.Watch {

    /** How long {@link #close} waits for a listener call in progress to return. */
    static final long CLOSE_WAIT_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);

    private final String key;
    private final RegistryListener listener;
    private final Executor events;
    private final Runnable onClose;
    private final AtomicReference<List<RegistryEntry>> pending = new AtomicReference<>();
    private final ReentrantLock calling = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param key the watched key
     * @param listener the listener
     * @param events the single event thread on which listeners run
     * @param onClose run once by the first {@link #close}, to release the backend's share of the watch
     */
    public Subscription(String key, RegistryListener listener, Executor events, Runnable onClose) {
        this.key = key;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.events = events;
        this.onClose = onClose;
    }

    /** {@return the watched key} */
    public String key() {
        return key;
    }

    /** {@return true once closed} */
    public boolean closed() {
        return closed.get();
    }

    /**
     * Schedules a call with these entries, replacing a snapshot still waiting for its call.
     *
     * @param snapshot the entries now under the key, immutable
     */
    public void offer(List<RegistryEntry> snapshot) {
        if (closed.get()) {
            return;
        }
        if (pending.getAndSet(snapshot) == null) {
            try {
                events.execute(this::deliver);
            } catch (RejectedExecutionException stopping) {
                pending.set(null);
            }
        }
    }

    private void deliver() {
        calling.lock();
        try {
            List<RegistryEntry> snapshot = pending.getAndSet(null);
            if (snapshot == null || closed.get()) {
                return;
            }
            listener.changed(key, snapshot);
        } catch (RuntimeException e) {
            LOG.warn("registry listener for key {} failed", key, e);
        } finally {
            calling.unlock();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pending.set(null);
        // Wait for a call in progress so that none is running once close returns; the listener itself may close.
        if (!calling.isHeldByCurrentThread()) {
            try {
                if (calling.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    calling.unlock();
                } else {
                    LOG.warn("registry listener for key {} still running {} s after its watch was closed", key,
                            CLOSE_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onClose.run();
    }
}
