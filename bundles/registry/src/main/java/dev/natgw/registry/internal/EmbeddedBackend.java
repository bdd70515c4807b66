package dev.natgw.registry.internal;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryKeys;
import dev.natgw.api.registry.RegistryListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory registry: entries live in this JVM until their TTL runs out, are withdrawn, or the backend closes.
 * All entries belong to this instance's owner.
 *
 * <p>
 * One lock guards the table and the watch list, so changes are totally ordered and every watch is offered its
 * snapshot in that order. Expired entries are invisible at once and removed (with watch calls) by a sweep that runs
 * on the shared scheduler thread every {@link #SWEEP_PERIOD}. Bounded: {@code maxEntries} entries and
 * {@code maxWatches} watches. Every method is safe from any thread and never blocks but on the lock.
 */
public final class EmbeddedBackend implements RegistryBackend {

    /** How often expired entries are removed. */
    public static final Duration SWEEP_PERIOD = Duration.ofMillis(250);

    private final String owner;
    private final Clock clock;
    private final ExecutorService events;
    private final int maxEntries;
    private final int maxWatches;
    private final ScheduledFuture<?> sweeper;

    private final Object lock = new Object();
    /** key → value → entry; values in announcement order. Guarded by lock. */
    private final Map<String, Map<String, RegistryEntry>> table = new HashMap<>();
    /** key → open watches. Guarded by lock. */
    private final Map<String, List<Subscription>> watches = new HashMap<>();
    private int entries;
    private int watchCount;
    private boolean closed;

    /**
     * @param owner the owner name of this instance's entries
     * @param clock the clock expiry is measured on
     * @param events the single event thread on which listeners run
     * @param scheduler the thread that sweeps expired entries, or null to sweep only when {@link #sweep} is called
     * @param maxEntries the most entries held
     * @param maxWatches the most open watches
     */
    public EmbeddedBackend(String owner, Clock clock, ExecutorService events, ScheduledExecutorService scheduler,
            int maxEntries, int maxWatches) {
        this.owner = owner;
        this.clock = clock;
        this.events = events;
        this.maxEntries = maxEntries;
        this.maxWatches = maxWatches;
        long period = SWEEP_PERIOD.toMillis();
        this.sweeper = scheduler == null
                ? null
                : scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public RegistryEntry announce(String key, String value, Duration ttl) {
        Checks.announcement(key, value, ttl);
        synchronized (lock) {
            ensureOpen();
            Instant now = clock.instant();
            Map<String, RegistryEntry> values = table.get(key);
            boolean added = values == null || !values.containsKey(value);
            if (added && entries >= maxEntries) {
                sweepLocked(now);
                if (entries >= maxEntries) {
                    throw new IllegalStateException(
                            "registry holds max.entries=" + maxEntries + " entries; refused " + key + " → " + value);
                }
                values = table.get(key);
            }
            if (values == null) {
                values = new LinkedHashMap<>();
                table.put(key, values);
            }
            RegistryEntry entry = new RegistryEntry(key, value, owner, now.plus(ttl));
            if (values.put(value, entry) == null) {
                entries++;
            }
            changedLocked(key, now);
            return entry;
        }
    }

    @Override
    public List<RegistryEntry> lookup(String key, int max) {
        Checks.lookup(key, max);
        synchronized (lock) {
            ensureOpen();
            return live(key, clock.instant(), max);
        }
    }

    @Override
    public boolean withdraw(String key, String value) {
        RegistryKeys.requireValid(key);
        RegistryKeys.requireValidValue(value);
        synchronized (lock) {
            ensureOpen();
            Map<String, RegistryEntry> values = table.get(key);
            RegistryEntry entry = values == null ? null : values.remove(value);
            if (entry == null) {
                return false;
            }
            entries--;
            if (values.isEmpty()) {
                table.remove(key);
            }
            Instant now = clock.instant();
            changedLocked(key, now);
            return entry.expires().isAfter(now);
        }
    }

    @Override
    public Watch watch(String key, RegistryListener listener) {
        RegistryKeys.requireValid(key);
        synchronized (lock) {
            ensureOpen();
            if (watchCount >= maxWatches) {
                throw new IllegalStateException("registry has max.watches=" + maxWatches + " watches open; refused "
                        + key);
            }
            Subscription[] self = new Subscription[1];
            Subscription subscription = new Subscription(key, listener, events, () -> unwatch(self[0]));
            self[0] = subscription;
            watches.computeIfAbsent(key, k -> new ArrayList<>()).add(subscription);
            watchCount++;
            subscription.offer(live(key, clock.instant(), Integer.MAX_VALUE));
            return subscription;
        }
    }

    private void unwatch(Subscription subscription) {
        synchronized (lock) {
            List<Subscription> list = watches.get(subscription.key());
            if (list != null && list.remove(subscription)) {
                watchCount--;
                if (list.isEmpty()) {
                    watches.remove(subscription.key());
                }
            }
        }
    }

    @Override
    public String backend() {
        return Registry.BACKEND_EMBEDDED;
    }

    @Override
    public SortedMap<String, Integer> keys(String prefix) {
        Checks.prefix(prefix);
        synchronized (lock) {
            ensureOpen();
            Instant now = clock.instant();
            SortedMap<String, Integer> keys = new TreeMap<>();
            for (Map.Entry<String, Map<String, RegistryEntry>> e : table.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    int live = (int) e.getValue().values().stream().filter(x -> x.expires().isAfter(now)).count();
                    if (live > 0) {
                        keys.put(e.getKey(), live);
                    }
                }
            }
            return keys;
        }
    }

    @Override
    public List<RegistryEntry> list(String prefix, int max) {
        Checks.prefix(prefix);
        Checks.max(max);
        synchronized (lock) {
            ensureOpen();
            Instant now = clock.instant();
            List<RegistryEntry> found = new ArrayList<>();
            for (String key : new TreeMap<>(table).keySet()) {
                if (key.startsWith(prefix)) {
                    found.addAll(live(key, now, max - found.size()));
                    if (found.size() >= max) {
                        break;
                    }
                }
            }
            return List.copyOf(found);
        }
    }

    @Override
    public String owner() {
        return owner;
    }

    /** Removes expired entries and tells their watches; run by the scheduler, callable by tests. */
    public void sweep() {
        synchronized (lock) {
            if (!closed) {
                sweepLocked(clock.instant());
            }
        }
    }

    private void sweepLocked(Instant now) {
        Iterator<Map.Entry<String, Map<String, RegistryEntry>>> keys = table.entrySet().iterator();
        List<String> changed = new ArrayList<>();
        while (keys.hasNext()) {
            Map.Entry<String, Map<String, RegistryEntry>> e = keys.next();
            if (e.getValue().values().removeIf(x -> !x.expires().isAfter(now))) {
                changed.add(e.getKey());
            }
        }
        for (String key : changed) {
            Map<String, RegistryEntry> values = table.get(key);
            if (values.isEmpty()) {
                table.remove(key);
            }
        }
        entries = table.values().stream().mapToInt(Map::size).sum();
        for (String key : changed) {
            changedLocked(key, now);
        }
    }

    private List<RegistryEntry> live(String key, Instant now, int max) {
        Map<String, RegistryEntry> values = table.get(key);
        if (values == null) {
            return List.of();
        }
        List<RegistryEntry> live = new ArrayList<>(Math.min(values.size(), max));
        for (RegistryEntry entry : values.values()) {
            if (live.size() >= max) {
                break;
            }
            if (entry.expires().isAfter(now)) {
                live.add(entry);
            }
        }
        return List.copyOf(live);
    }

    private void changedLocked(String key, Instant now) {
        List<Subscription> list = watches.get(key);
        if (list != null) {
            List<RegistryEntry> snapshot = live(key, now, Integer.MAX_VALUE);
            for (Subscription s : list) {
                s.offer(snapshot);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("registry backend closed");
        }
    }

    @Override
    public void close() {
        List<Subscription> open = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            watches.values().forEach(open::addAll);
            table.clear();
            entries = 0;
        }
        // outside the lock: close waits for a listener call in progress, which may itself call the registry
        open.forEach(Subscription::close);
    }
}
