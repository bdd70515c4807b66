package dev.natgw.registry.internal;

import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryListener;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch of {@link ZooKeeperBackend}: a Curator cache over one key's znode, used only as a trigger; each change reads
 * the key's entries again from the ensemble, on the backend's one refresh thread, and offers what it read to a
 * {@link Subscription}.
 *
 * <p>
 * The cache's own view is not offered: it learns of a deleted entry from that entry's watch at once, but of a new one
 * only after listing the key again, so between the two it holds neither (announce b, then withdraw a, shows nothing
 * at all for a moment). Reads of one session are answered in order, so reads one after the other on one thread never
 * go back to an older state.
 */
final class ZooKeeperWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperWatch.class);

    private final String key;
    private final CuratorCache cache;
    private final Subscription subscription;
    private final Executor refresher;
    private final Callable<List<RegistryEntry>> read;
    private final Consumer<ZooKeeperWatch> stopped;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private volatile boolean initialized;

    /**
     * @param client the backend's client
     * @param keyPath the key's znode
     * @param key the key
     * @param listener the listener
     * @param events the single event thread on which listeners run
     * @param refresher the backend's one thread for reading watched keys again
     * @param read reads the key's live entries from the ensemble; null once the backend is closed
     * @param stopped told once the watch is closed
     */
    ZooKeeperWatch(CuratorFramework client, String keyPath, String key, RegistryListener listener, Executor events,
            Executor refresher, Callable<List<RegistryEntry>> read, Consumer<ZooKeeperWatch> stopped) {
        this.key = key;
        this.cache = CuratorCache.build(client, keyPath);
        this.subscription = new Subscription(key, listener, events, this::stop);
        this.refresher = refresher;
        this.read = read;
        this.stopped = stopped;
    }

    Subscription subscription() {
        return subscription;
    }

    void start() {
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> changed())
                .forInitialized(() -> {
                    initialized = true;
                    changed();
                })
                .build());
        cache.start();
    }

    /** Marks the key changed; one refresh is queued however many changes arrive before it runs. */
    void changed() {
        if (!initialized || subscription.closed()) {
            return;
        }
        if (dirty.compareAndSet(false, true)) {
            try {
                refresher.execute(this::refresh);
            } catch (RejectedExecutionException closing) {
                dirty.set(false);
            }
        }
    }

    private void refresh() {
        // cleared before reading: a change that lands during the read queues another refresh after this one
        dirty.set(false);
        if (subscription.closed()) {
            return;
        }
        try {
            List<RegistryEntry> entries = read.call();
            if (entries != null) {
                subscription.offer(List.copyOf(entries));
            }
        } catch (Exception e) {
            // not connected: the reconnection marks every watch changed, and that refresh reads again
            LOG.debug("registry watch of {} could not read the key", key, e);
        }
    }

    private void stop() {
        cache.close();
        stopped.accept(this);
    }
}
