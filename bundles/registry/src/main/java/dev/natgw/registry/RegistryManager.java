package dev.natgw.registry;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryKeys;
import dev.natgw.api.registry.RegistryListener;
import dev.natgw.registry.internal.EmbeddedBackend;
import dev.natgw.registry.internal.OwnerIdentity;
import dev.natgw.registry.internal.RegistryBackend;
import dev.natgw.registry.internal.RegistryBrowser;
import dev.natgw.registry.internal.ZooKeeperBackend;
import dev.natgw.registry.internal.ZooKeeperSettings;
import java.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's {@link Registry}: checks the configuration, holds the backend it names (embedded or zookeeper) and
 * swaps it when the configuration changes, carrying open watches over to the new backend (announcements are not
 * carried: their owners announce again before their TTL runs out).
 *
 * <p>
 * Owns two threads, both stopped on deactivate: {@code natgw-registry-events}, on which every listener runs, one call
 * at a time in change order, and {@code natgw-registry-expiry}, which removes expired entries. Every method is safe
 * from any thread; see {@link Registry} for which may block.
 */
@Component(service = {Registry.class, RegistryBrowser.class}, configurationPid = RegistryManager.PID)
@Designate(ocd = RegistryConfig.class)
public class RegistryManager implements Registry, RegistryBrowser {

    /** The configuration PID. */
    public static final String PID = "dev.natgw.registry";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryManager.class);
    private static final long STOP_WAIT_SECONDS = 5;

    /** The owner when the configuration names none: the appliance's kept identity. */
    private final String keptOwner;
    private final Clock clock;
    private final ExecutorService events;
    private final ScheduledExecutorService scheduler;
    private final Object swap = new Object();
    private final Set<ManagedWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile RegistryBackend backend;

    /**
     * Starts the backend the configuration names.
     *
     * @throws IllegalArgumentException naming the configuration key at fault
     */
    @Activate
    public RegistryManager(RegistryConfig config) {
        this(config, Clock.systemUTC(), keptOwner());
        LOG.info("natgw registry active: backend {}, owner {}", backend.backend(), backend.owner());
    }

    /**
     * The owner name kept in {@code karaf.data}/natgw/registry-owner, made at the first start; a random one per start
     * where no {@code karaf.data} is set (outside Karaf).
     */
    private static String keptOwner() {
        String data = System.getProperty("karaf.data");
        return data == null
                ? OwnerIdentity.random()
                : OwnerIdentity.loadOrCreate(Path.of(data, "natgw", "registry-owner"));
    }

    /** For tests: a given clock and owner name (used where the configuration names no owner). */
    RegistryManager(RegistryConfig config, Clock clock, String keptOwner) {
        this.keptOwner = Objects.requireNonNull(keptOwner, "owner");
        this.clock = clock;
        RegistrySettings settings = RegistrySettings.of(config);
        this.events = Executors.newSingleThreadExecutor(named("natgw-registry-events"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(named("natgw-registry-expiry"));
        try {
            this.backend = start(settings);
        } catch (RuntimeException e) {
            stopThreads();
            throw e;
        }
    }

    /**
     * Applies a new configuration: a new backend replaces the old one, which is closed; open watches move to the new
     * one and get its entries as their next call. A bad configuration is refused and the old backend stays.
     */
    @Modified
    void modified(RegistryConfig config) {
        RegistrySettings settings = RegistrySettings.of(config);
        synchronized (swap) {
            RegistryBackend next = start(settings);
            RegistryBackend old = backend;
            for (ManagedWatch w : watches) {
                w.moveTo(next);
            }
            backend = next;
            old.close();
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (swap) {
            for (ManagedWatch w : new ArrayList<>(watches)) {
                w.close();
            }
            backend.close();
        }
        stopThreads();
        LOG.info("natgw registry stopped");
    }

    /** Starts the backend s names, announcing under the configured owner or else the kept one. */
    private RegistryBackend start(RegistrySettings s) {
        String name = s.owner().isEmpty() ? keptOwner : s.owner();
        if (s.backend().equals(BACKEND_ZOOKEEPER)) {
            if (s.zookeeper().auth().equals(ZooKeeperSettings.AUTH_NONE)) {
                LOG.warn("natgw registry on zookeeper {} without authentication (zookeeper.auth=none): anyone who"
                        + " reaches the ensemble can rewrite or delete every announcement", s.zookeeper().connect());
            }
            LOG.info("natgw registry on zookeeper {} ({}, auth {})", s.zookeeper().connect(), s.zookeeper().tls(),
                    s.zookeeper().auth());
            return new ZooKeeperBackend(name, clock, s.zookeeper(), events, scheduler, s.maxEntries(),
                    s.maxWatches());
        }
        return new EmbeddedBackend(name, clock, events, scheduler, s.maxEntries(), s.maxWatches());
    }

    private void stopThreads() {
        scheduler.shutdownNow();
        events.shutdown();
        try {
            if (!events.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
            if (!scheduler.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("natgw-registry-expiry still running {} s after stop", STOP_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            events.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String name) {
        return Thread.ofPlatform().name(name).daemon(true).factory();
    }

    @Override
    public RegistryEntry announce(String key, String value, Duration ttl) {
        return backend.announce(key, value, ttl);
    }

    @Override
    public List<RegistryEntry> lookup(String key, int max) {
        return backend.lookup(key, max);
    }

    @Override
    public boolean withdraw(String key, String value) {
        return backend.withdraw(key, value);
    }

    @Override
    public Watch watch(String key, RegistryListener listener) {
        RegistryKeys.requireValid(key);
        Objects.requireNonNull(listener, "listener");
        synchronized (swap) {
            ManagedWatch w = new ManagedWatch(key, listener, backend.watch(key, listener));
            watches.add(w);
            return w;
        }
    }

    @Override
    public String backend() {
        return backend.backend();
    }

    @Override
    public SortedMap<String, Integer> keys(String prefix) {
        return backend.keys(prefix);
    }

    @Override
    public List<RegistryEntry> list(String prefix, int max) {
        return backend.list(prefix, max);
    }

    @Override
    public String owner() {
        return backend.owner();
    }

    /** A watch that outlives backend swaps: it holds the current backend's watch and moves it on a swap. */
    private final class ManagedWatch implements Watch {
        private final String key;
        private final RegistryListener listener;
        private Watch inner;
        private boolean closed;

        ManagedWatch(String key, RegistryListener listener, Watch inner) {
            this.key = key;
            this.listener = listener;
            this.inner = inner;
        }

        /** Called under the swap lock. Closes the old watch first, so no older snapshot follows a newer one. */
        synchronized void moveTo(RegistryBackend next) {
            if (closed) {
                return;
            }
            inner.close();
            try {
                inner = next.watch(key, listener);
            } catch (RuntimeException e) {
                LOG.warn("registry watch on {} lost in the backend swap: {}", key, e.getMessage());
                closed = true;
                watches.remove(this);
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                watches.remove(this);
                inner.close();
            }
        }
    }
}
