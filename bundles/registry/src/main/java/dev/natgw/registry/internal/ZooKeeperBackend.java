package dev.natgw.registry.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryKeys;
import dev.natgw.api.registry.RegistryListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The registry on a ZooKeeper ensemble, through Curator. Each entry is an ephemeral znode
 * {@code root/<bucket>/<encoded key>/<value id>} of this instance's session, holding the value, the owner and the
 * expiry as JSON. The bucket is the first {@value ZnodeNames#BUCKET_DIGITS} hex digits of the key's SHA-256, so keys spread over
 * {@value ZnodeNames#BUCKETS} parents and a listing reads them one parent at a time, each reply far under ZooKeeper's 1 MB packet
 * limit. Bucket and key znodes are containers, which the server removes once empty. A dead appliance's session ends
 * and its entries go with it. The TTL still holds: entries past their expiry are ignored by every reader and deleted
 * by their owner's sweep on the shared scheduler thread. Only the owner (the same owner name, which an appliance keeps
 * across restarts) refreshes or withdraws an entry.
 *
 * <p>
 * With digest or SASL authentication every znode this backend makes carries a creator-only ACL (all rights to the
 * identity that made it, read to anyone): a client without the registry's credential can read but neither create,
 * change nor delete. A lookup's result is kept in a bounded {@link LookupCache}; while the ensemble is unreachable,
 * lookups of cached keys are answered from it (expired entries left out) until its age limit.
 *
 * <p>
 * Every method is safe from any thread; announce, lookup, withdraw and the listings block on the network, at most
 * about the connect timeout times Curator's retries. Watches are Curator caches whose events are turned into snapshots
 * on Curator's event thread and delivered on the registry's event thread. Bounded: {@code maxEntries} own entries,
 * {@code maxWatches} watches.
 */
public final class ZooKeeperBackend implements RegistryBackend {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many keys a listing reads at once. */
    private static final int KEYS_PER_BATCH = 256;
    /** All rights to the authenticated identity that creates a znode, read to anyone. */
    private static final List<ACL> CREATOR_WRITES;

    static {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        acl.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
        // not List.copyOf: ZooKeeper asks the list whether it contains null, which immutable lists refuse to answer
        CREATOR_WRITES = Collections.unmodifiableList(acl);
    }

    /** What an entry's znode holds. */
    record Znode(String value, String owner, long expires) {
    }

    private final String owner;
    private final Clock clock;
    private final ExecutorService events;
    private final ZooKeeperSettings settings;
    private final int maxEntries;
    private final int maxWatches;
    private final CuratorFramework client;
    private final LookupCache cache;
    private final PipelinedReads reads;
    private final ScheduledFuture<?> sweeper;
    /** Reads watched keys again after a change, one key after the other, so that no watch sees an older state. */
    private final ExecutorService refresher;
    /** Whether the client holds a connection now; while not, cached lookups are answered without waiting. */
    private volatile boolean connected;
    /** Whether the root has been checked to carry the ACL this backend makes. */
    private volatile boolean rootSecured;
    /** path → expiry of the entries this instance announced. */
    private final Map<String, Instant> own = new ConcurrentHashMap<>();
    private final Set<ZooKeeperWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Starts a Curator client; it connects in the background, and operations wait for it up to the connect timeout.
     *
     * @param owner the owner name of this instance's entries
     * @param clock the clock expiry is measured on
     * @param settings where the ensemble is
     * @param events the single event thread on which listeners run
     * @param scheduler the thread that deletes this instance's expired entries, or null to sweep only on {@link #sweep}
     * @param maxEntries the most entries this instance announces
     * @param maxWatches the most open watches
     */
    public ZooKeeperBackend(String owner, Clock clock, ZooKeeperSettings settings, ExecutorService events,
            ScheduledExecutorService scheduler, int maxEntries, int maxWatches) {
        this.owner = owner;
        this.clock = clock;
        this.settings = settings;
        this.events = events;
        this.maxEntries = maxEntries;
        this.maxWatches = maxWatches;
        this.refresher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "natgw-registry-watch-" + owner);
            t.setDaemon(true);
            return t;
        });
        this.cache = new LookupCache(settings.cacheMaxKeys(), settings.cacheTtl().toMillis());
        int connectMs = Math.toIntExact(settings.connectTimeout().toMillis());
        ZKClientConfig zk = new ZKClientConfig();
        boolean sasl = settings.auth().equals(ZooKeeperSettings.AUTH_SASL);
        zk.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, Boolean.toString(sasl));
        if (sasl) {
            zk.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, settings.saslLoginContext());
        }
        settings.tls().apply(zk);
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.connect())
                .sessionTimeoutMs(Math.toIntExact(settings.sessionTimeout().toMillis()))
                .connectionTimeoutMs(connectMs)
                .retryPolicy(new ExponentialBackoffRetry(200, 3, 2000))
                .waitForShutdownTimeoutMs(connectMs)
                .zkClientConfig(zk);
        if (settings.auth().equals(ZooKeeperSettings.AUTH_DIGEST)) {
            builder.authorization("digest", settings.digest().getBytes(StandardCharsets.UTF_8));
        }
        if (!settings.auth().equals(ZooKeeperSettings.AUTH_NONE)) {
            builder.aclProvider(new CreatorWrites());
        }
        this.client = builder.build();
        client.getConnectionStateListenable().addListener((c, state) -> {
            connected = state.isConnected();
            if (state == ConnectionState.RECONNECTED) {
                // a refresh that failed while disconnected is read again now
                watches.forEach(ZooKeeperWatch::changed);
            }
        });
        client.start();
        // Curator retries a read 3 times, each waiting up to the connect timeout
        this.reads = new PipelinedReads(client, settings.connectTimeout().multipliedBy(4));
        long period = EmbeddedBackend.SWEEP_PERIOD.toMillis();
        this.sweeper = scheduler == null
                ? null
                : scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public RegistryEntry announce(String key, String value, Duration ttl) {
        Checks.announcement(key, value, ttl);
        ensureOpen();
        String path = entryPath(key, value);
        if (!own.containsKey(path) && own.size() >= maxEntries) {
            throw new IllegalStateException(
                    "registry announces max.entries=" + maxEntries + " entries; refused " + key + " → " + value);
        }
        // znodes keep milliseconds: the returned entry says what readers will see
        Instant expires = Instant.ofEpochMilli(clock.instant().plus(ttl).toEpochMilli());
        byte[] data = encode(new Znode(value, owner, expires.toEpochMilli()));
        cache.forget(key);
        try {
            secureRoot();
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path,
                            data);
                    own.put(path, expires);
                    return new RegistryEntry(key, value, owner, expires);
                } catch (KeeperException.NodeExistsException exists) {
                    Stat stat = new Stat();
                    Znode found;
                    try {
                        found = decode(client.getData().storingStatIn(stat).forPath(path));
                    } catch (KeeperException.NoNodeException gone) {
                        continue;
                    }
                    if (!owner.equals(found.owner())) {
                        throw new IllegalStateException(
                                key + " → " + value + " is announced by " + found.owner() + ", not by " + owner);
                    }
                    try {
                        if (stat.getEphemeralOwner() == sessionId()) {
                            client.setData().withVersion(stat.getVersion()).forPath(path, data);
                            own.put(path, expires);
                            return new RegistryEntry(key, value, owner, expires);
                        }
                        // ours, but of an earlier session that is about to end: replace it with one of this session
                        client.delete().withVersion(stat.getVersion()).forPath(path);
                    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException raced) {
                        // changed under us: try again
                    }
                }
            }
            throw new IllegalStateException(key + " → " + value + " kept changing while being announced");
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw failed("announce " + key, e);
        }
    }

    @Override
    public List<RegistryEntry> lookup(String key, int max) {
        Checks.lookup(key, max);
        ensureOpen();
        if (!connected) {
            // the ensemble is away: answer at once from the cache rather than wait out the connect timeout
            List<RegistryEntry> cached = cache.get(key, max, clock.millis());
            if (cached != null) {
                return cached;
            }
        }
        try {
            long now = clock.millis();
            // read enough to fill the cache, so an answer during an outage is as full as the cache allows
            List<RegistryEntry> found = live(key, Math.max(max, LookupCache.VALUES_PER_KEY));
            cache.put(key, found, now);
            return found.size() > max ? List.copyOf(found.subList(0, max)) : found;
        } catch (Exception e) {
            List<RegistryEntry> cached = cache.get(key, max, clock.millis());
            if (cached != null) {
                return cached;
            }
            throw failed("look up " + key, e);
        }
    }

    /** {@return whether the client holds a connection to the ensemble now} */
    boolean connected() {
        return connected;
    }

    /** {@return how many keys the lookup cache holds, for tests} */
    int cachedKeys() {
        return cache.size();
    }

    /**
     * Gives the root the ACL this backend makes, once, if it was made open (by an older natgw or by hand) and this
     * identity may still change it; an ensemble that refuses leaves the root as it is.
     */
    private void secureRoot() throws Exception {
        if (rootSecured || settings.auth().equals(ZooKeeperSettings.AUTH_NONE)) {
            return;
        }
        try {
            client.create().creatingParentContainersIfNeeded().forPath(settings.root());
        } catch (KeeperException.NodeExistsException exists) {
            List<ACL> acl = client.getACL().forPath(settings.root());
            if (acl.stream().anyMatch(a -> a.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE)
                    && (a.getPerms() & ~ZooDefs.Perms.READ) != 0)) {
                try {
                    client.setACL().withACL(CREATOR_WRITES).forPath(settings.root());
                } catch (KeeperException.NoAuthException notOurs) {
                    // made by another identity: its own ACL stands
                }
            }
        }
        rootSecured = true;
    }

    /** Every znode this backend makes: creator-only writes, world reads. */
    private static final class CreatorWrites implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return CREATOR_WRITES;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return CREATOR_WRITES;
        }
    }

    private List<RegistryEntry> live(String key, int max) throws Exception {
        String keyPath = keyPath(key);
        List<String> children;
        try {
            children = client.getChildren().forPath(keyPath);
        } catch (KeeperException.NoNodeException none) {
            return List.of();
        }
        long now = clock.millis();
        List<RegistryEntry> live = new ArrayList<>();
        for (String child : children) {
            if (live.size() >= max) {
                break;
            }
            try {
                Znode z = decode(client.getData().forPath(keyPath + "/" + child));
                if (z.expires() > now) {
                    live.add(entry(key, z));
                }
            } catch (KeeperException.NoNodeException gone) {
                // withdrawn between listing and reading
            }
        }
        return List.copyOf(live);
    }

    @Override
    public boolean withdraw(String key, String value) {
        RegistryKeys.requireValid(key);
        RegistryKeys.requireValidValue(value);
        ensureOpen();
        String path = entryPath(key, value);
        cache.forget(key);
        try {
            Stat stat = new Stat();
            Znode z = decode(client.getData().storingStatIn(stat).forPath(path));
            if (!owner.equals(z.owner())) {
                return false;
            }
            own.remove(path);
            client.delete().withVersion(stat.getVersion()).forPath(path);
            return z.expires() > clock.millis();
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
            own.remove(path);
            return false;
        } catch (Exception e) {
            throw failed("withdraw " + key, e);
        }
    }

    @Override
    public Watch watch(String key, RegistryListener listener) {
        RegistryKeys.requireValid(key);
        ensureOpen();
        synchronized (watches) {
            if (watches.size() >= maxWatches) {
                throw new IllegalStateException("registry has max.watches=" + maxWatches + " watches open; refused "
                        + key);
            }
            ZooKeeperWatch watch = new ZooKeeperWatch(client, keyPath(key), key, listener, events, refresher,
                    () -> closed ? null : live(List.of(key), Integer.MAX_VALUE).get(0), watches::remove);
            watches.add(watch);
            watch.start();
            return watch.subscription();
        }
    }

    @Override
    public String backend() {
        return Registry.BACKEND_ZOOKEEPER;
    }

    @Override
    public SortedMap<String, Integer> keys(String prefix) {
        Checks.prefix(prefix);
        ensureOpen();
        try {
            SortedMap<String, Integer> keys = new TreeMap<>();
            List<String> all = allKeys(prefix);
            for (int from = 0; from < all.size(); from += KEYS_PER_BATCH) {
                List<String> batch = all.subList(from, Math.min(all.size(), from + KEYS_PER_BATCH));
                List<List<RegistryEntry>> live = live(batch, Integer.MAX_VALUE);
                for (int i = 0; i < batch.size(); i++) {
                    if (!live.get(i).isEmpty()) {
                        keys.put(batch.get(i), live.get(i).size());
                    }
                }
            }
            return keys;
        } catch (Exception e) {
            throw failed("list keys", e);
        }
    }

    @Override
    public List<RegistryEntry> list(String prefix, int max) {
        Checks.prefix(prefix);
        Checks.max(max);
        ensureOpen();
        try {
            List<RegistryEntry> found = new ArrayList<>();
            List<String> all = allKeys(prefix);
            int from = 0;
            while (from < all.size() && found.size() < max) {
                // a key holds at least one entry or is skipped: a small max reads few keys at a time
                List<String> batch = all.subList(from,
                        Math.min(all.size(), from + Math.min(KEYS_PER_BATCH, max - found.size())));
                from += batch.size();
                for (List<RegistryEntry> entries : live(batch, max - found.size())) {
                    found.addAll(entries.subList(0, Math.min(entries.size(), max - found.size())));
                }
            }
            return List.copyOf(found);
        } catch (Exception e) {
            throw failed("list entries", e);
        }
    }

    /** {@return the live entries of each key, at most max per key, in the order of keys} */
    private List<List<RegistryEntry>> live(List<String> keys, int max) throws Exception {
        List<String> keyPaths = keys.stream().map(this::keyPath).toList();
        List<List<String>> children = reads.children(keyPaths);
        List<String> entryPaths = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            List<String> names = children.get(i) == null ? List.of() : children.get(i);
            for (String name : names) {
                entryPaths.add(keyPaths.get(i) + "/" + name);
            }
        }
        List<byte[]> data = reads.data(entryPaths);
        long now = clock.millis();
        List<List<RegistryEntry>> live = new ArrayList<>(keys.size());
        int at = 0;
        for (int i = 0; i < keys.size(); i++) {
            int count = children.get(i) == null ? 0 : children.get(i).size();
            List<RegistryEntry> entries = new ArrayList<>();
            for (int j = 0; j < count; j++, at++) {
                byte[] bytes = data.get(at);
                if (bytes == null || entries.size() >= max) {
                    continue; // withdrawn between listing and reading, or past the bound
                }
                Znode z = decodeOrNull(bytes);
                if (z != null && z.expires() > now) {
                    entries.add(entry(keys.get(i), z));
                }
            }
            live.add(entries);
        }
        return live;
    }

    /**
     * The keys that start with prefix, in key order, read one bucket at a time: each reply holds one bucket's keys,
     * about 1/{@value ZnodeNames#BUCKETS} of them. Names that are not keys, or not of the bucket they are in, are skipped.
     */
    private List<String> allKeys(String prefix) throws Exception {
        List<String> bucketPaths = new ArrayList<>(ZnodeNames.BUCKETS);
        for (int b = 0; b < ZnodeNames.BUCKETS; b++) {
            bucketPaths.add(settings.root() + "/" + ZnodeNames.bucketName(b));
        }
        List<List<String>> buckets = reads.children(bucketPaths);
        List<String> keys = new ArrayList<>();
        for (int b = 0; b < ZnodeNames.BUCKETS; b++) {
            if (buckets.get(b) == null) {
                continue;
            }
            String bucket = ZnodeNames.bucketName(b);
            for (String child : buckets.get(b)) {
                String key = ZnodeNames.decodeKey(child);
                if (key != null && key.startsWith(prefix) && ZnodeNames.bucket(key).equals(bucket)) {
                    keys.add(key);
                }
            }
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public String owner() {
        return owner;
    }

    /** Deletes this instance's expired entries; run by the scheduler, callable by tests. */
    // own is a ConcurrentHashMap: its iteration is weakly consistent, and the conditional remove keeps an entry that
    // was renewed meanwhile
    @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
    public void sweep() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        for (Map.Entry<String, Instant> e : own.entrySet()) {
            if (!e.getValue().isAfter(now)) {
                String path = e.getKey();
                try {
                    Stat stat = new Stat();
                    Znode z = decode(client.getData().storingStatIn(stat).forPath(path));
                    if (owner.equals(z.owner()) && z.expires() <= now.toEpochMilli()) {
                        client.delete().withVersion(stat.getVersion()).forPath(path);
                    }
                    own.remove(path, e.getValue());
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
                    own.remove(path, e.getValue());
                } catch (Exception unreachable) {
                    // the ensemble is away; the next sweep tries again, and readers ignore the entry meanwhile
                    return;
                }
            }
        }
    }

    /** {@return the current ZooKeeper session's id, for tests that end it} */
    long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /** {@return the Curator client, for tests} */
    CuratorFramework client() {
        return client;
    }

    private String keyPath(String key) {
        return settings.root() + "/" + ZnodeNames.bucket(key) + "/" + ZnodeNames.encodeKey(key);
    }

    private String entryPath(String key, String value) {
        return keyPath(key) + "/" + ZnodeNames.valueId(value);
    }

    private RegistryEntry entry(String key, Znode z) {
        return new RegistryEntry(key, z.value(), z.owner(), Instant.ofEpochMilli(z.expires()));
    }

    private static byte[] encode(Znode z) {
        try {
            return JSON.writeValueAsBytes(z);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + z, e);
        }
    }

    private static Znode decode(byte[] data) throws IOException {
        return JSON.readValue(data, Znode.class);
    }

    private static Znode decodeOrNull(byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decode(data);
        } catch (IOException | RuntimeException foreign) {
            return null;
        }
    }

    private IllegalStateException failed(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String hint = e instanceof KeeperException.NoAuthException || e instanceof KeeperException.AuthFailedException
                ? " (the ensemble refused this appliance's identity: check zookeeper.auth and its credential)"
                : "";
        return new IllegalStateException(
                "registry on zookeeper " + settings.connect() + " could not " + what + ": " + e + hint, e);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("registry backend closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        List<ZooKeeperWatch> open;
        synchronized (watches) {
            open = new ArrayList<>(watches);
        }
        for (ZooKeeperWatch w : open) {
            w.subscription().close();
        }
        refresher.shutdownNow();
        own.clear();
        // ends the session: the ensemble deletes this instance's ephemeral entries at once
        client.close();
    }
}
