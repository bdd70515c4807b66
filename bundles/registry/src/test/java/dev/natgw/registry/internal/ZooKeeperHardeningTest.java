package dev.natgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.registry.RegistryEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ZooKeeper backend against attackers and failures, each made for real on a ZooKeeper server of its own:
 * clients without the registry's credential writing natgw's znodes, a key count whose flat listing would pass the
 * 1 MB packet limit, the ensemble going away, and an appliance restarting while its old session still holds its
 * entries.
 */
class ZooKeeperHardeningTest {

    private static final String CREDENTIAL = "natgw:registry-secret-51c2";
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final String ROOT = "/natgw/registry";

    private final MutableClock clock = new MutableClock(Instant.now());
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-events"));
    private final List<AutoCloseable> opened = new ArrayList<>();
    private TestingServer server;
    private ZooKeeperSettings settings;

    @BeforeEach
    void startServer() throws Exception {
        // these servers are thrown away: no fsync per transaction, or 20,000 announcements wait on the disk
        System.setProperty("zookeeper.forceSync", "no");
        server = new TestingServer(true);
        settings = new ZooKeeperSettings(server.getConnectString(), ROOT, Duration.ofSeconds(10),
                Duration.ofSeconds(2)).withDigest(CREDENTIAL);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        server.close();
        System.clearProperty("zookeeper.forceSync");
        events.shutdown();
        assertThat(events.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private ZooKeeperBackend backend(String owner, ZooKeeperSettings s, int maxEntries) {
        ZooKeeperBackend backend = new ZooKeeperBackend(owner, clock, s, events, null, maxEntries, 10);
        opened.add(backend);
        return backend;
    }

    private ZooKeeperBackend backend(String owner) {
        return backend(owner, settings, 100);
    }

    /** A plain Curator client, with the given digest credential or none. */
    private CuratorFramework outsider(String digest) throws InterruptedException {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100));
        if (digest != null) {
            b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = b.build();
        client.start();
        opened.add(client);
        assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    private static String keyPath(String key) {
        return ROOT + "/" + ZnodeNames.bucket(key) + "/" + ZnodeNames.encodeKey(key);
    }

    @Test
    void clientsWithoutTheCredentialCanReadButNeitherCreateNorChangeNatgwsZnodes() throws Exception {
        ZooKeeperBackend a = backend("appliance-a");
        RegistryEntry entry = a.announce("srv/k1", "198.19.0.1:7000", TTL);
        String entryPath = keyPath("srv/k1") + "/" + ZnodeNames.valueId("198.19.0.1:7000");
        byte[] rogue = "{\"value\":\"198.18.0.66:1\",\"owner\":\"appliance-a\",\"expires\":9999999999999}"
                .getBytes(StandardCharsets.UTF_8);

        for (CuratorFramework attacker : List.of(outsider(null), outsider("natgw:guessed-wrong"))) {
            assertThat(attacker.getData().forPath(entryPath)).as("entries stay readable").isNotEmpty();
            assertThatThrownBy(() -> attacker.create().forPath(ROOT + "/evil", rogue))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.create().forPath(
                    ROOT + "/" + ZnodeNames.bucket("srv/k1") + "/srv%2Fevil", rogue))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.create().forPath(keyPath("srv/k1") + "/rogue-value", rogue))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.setData().forPath(entryPath, rogue))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.delete().forPath(entryPath))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(entryPath))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> attacker.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(ROOT))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }

        // a second appliance with the registry's credential still sees and adds
        ZooKeeperBackend b = backend("appliance-b");
        assertThat(b.lookup("srv/k1", 10)).containsExactly(entry);
        b.announce("srv/k1", "198.19.0.2:7000", TTL);
        assertThat(a.lookup("srv/k1", 10)).hasSize(2);
    }

    @Test
    void aBackendWithAWrongCredentialIsRefusedWithoutTheSecretInTheMessage() {
        backend("appliance-a").announce("fwd", "198.19.0.1:7000", TTL);
        ZooKeeperBackend wrong = backend("appliance-x", settings.withDigest("natgw:not-the-secret-99"), 10);

        assertThatThrownBy(() -> wrong.announce("fwd", "198.19.0.9:7000", TTL))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("identity")
                .hasMessageNotContaining("not-the-secret-99");
        assertThat(wrong.lookup("fwd", 10)).extracting(RegistryEntry::value).containsExactly("198.19.0.1:7000");
        assertThat(settings.toString()).doesNotContain("registry-secret-51c2").contains("natgw");
    }

    @Test
    void aRootLeftOpenIsClosedByTheFirstAnnouncement() throws Exception {
        CuratorFramework attacker = outsider(null);
        attacker.create().creatingParentsIfNeeded().forPath(ROOT);
        ZooKeeperBackend a = backend("appliance-a");

        a.announce("fwd", "198.19.0.1:7000", TTL);

        assertThatThrownBy(() -> attacker.create().forPath(ROOT + "/evil"))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThat(a.lookup("fwd", 10)).hasSize(1);
    }

    @Test
    void twentyThousandKeysListOneBucketAtATimeFarUnderThePacketLimit() throws Exception {
        int keys = 20_000;
        // 80-character keys: one flat parent's listing would be 20,000 x (names + 4 bytes), over 1 MB
        String pad = "k".repeat(72);
        ZooKeeperBackend a = backend("appliance-a", settings, keys);
        ExecutorService writers = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int first = w;
                done.add(writers.submit(() -> {
                    for (int i = first; i < keys; i += 8) {
                        a.announce(String.format("srv/%05d%s", i, pad).substring(0, 80), "198.19.0.1:7000", TTL);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            writers.shutdownNow();
        }
        long announced = System.nanoTime();
        ZooKeeperBackend b = backend("appliance-b");

        assertThat(b.keys("srv/")).hasSize(keys).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
        long keysListed = System.nanoTime();
        List<RegistryEntry> all = b.list("srv/", keys + 1);
        long entriesListed = System.nanoTime();
        assertThat(all).hasSize(keys);
        assertThat(all).extracting(RegistryEntry::key).isSorted().doesNotHaveDuplicates();
        assertThat(b.list("srv/", 100)).isEqualTo(all.subList(0, 100));
        assertThat(b.client().getZookeeperClient().isConnected()).as("the connection held").isTrue();

        // what each listing reply carried: one bucket's names, against what one flat parent would have carried
        CuratorFramework reader = outsider(null);
        long flat = 0;
        long largest = 0;
        int buckets = 0;
        for (String bucket : reader.getChildren().forPath(ROOT)) {
            long bytes = 0;
            for (String name : reader.getChildren().forPath(ROOT + "/" + bucket)) {
                bytes += 4 + name.length();
            }
            flat += bytes;
            largest = Math.max(largest, bytes);
            buckets++;
        }
        assertThat(flat).as("a flat parent's listing").isGreaterThan(1L << 20);
        assertThat(largest).as("the largest bucket's listing").isLessThan(16 * 1024);
        assertThat(buckets).isGreaterThan(4000);
        System.out.printf("20,000 keys: announced in %d ms (8 threads), keys() in %d ms, list() in %d ms;"
                + " %d buckets, largest listing %d bytes, flat listing would be %d bytes%n",
                (announced - start) / 1_000_000, (keysListed - announced) / 1_000_000,
                (entriesListed - keysListed) / 1_000_000, buckets, largest, flat);
    }

    @Test
    void lookupsAreAnsweredThroughAnOutageAndLiveAgainAfterIt() throws Exception {
        ZooKeeperSettings cached = settings.withCache(100, Duration.ofSeconds(20));
        ZooKeeperBackend a = backend("appliance-a", cached, 100);
        ZooKeeperBackend b = backend("appliance-b", cached, 100);
        RegistryEntry server1 = a.announce("srv/k1", "198.19.0.1:7000", TTL);
        a.announce("srv/k1", "short-lived", Duration.ofSeconds(1));
        assertThat(b.lookup("srv/k1", 1)).hasSize(1);
        assertThat(b.cachedKeys()).isEqualTo(1);

        server.stop();
        await().atMost(20, TimeUnit.SECONDS).until(() -> !b.connected());

        assertThat(b.lookup("srv/k1", 10)).as("answered from the cache, in full though looked up with max 1")
                .hasSize(2).contains(server1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(b.lookup("srv/k1", 10)).as("expired entries are left out").containsExactly(server1);
        assertThat(b.lookup("srv/k1", 1)).containsExactly(server1);
        assertThatThrownBy(() -> b.lookup("srv/never-looked-up", 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(server.getConnectString());
        clock.advance(Duration.ofSeconds(19));
        assertThatThrownBy(() -> b.lookup("srv/k1", 10)).as("no answer older than the cache's age limit")
                .isInstanceOf(IllegalStateException.class);

        server.restart();
        await().atMost(30, TimeUnit.SECONDS).until(b::connected);
        await().atMost(30, TimeUnit.SECONDS).ignoreExceptions()
                .until(() -> a.announce("srv/k1", "198.19.0.2:7000", TTL) != null);
        await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().until(() -> b.lookup("srv/k1", 10).stream()
                .anyMatch(e -> e.value().equals("198.19.0.2:7000")));
        assertThat(b.lookup("srv/never-looked-up", 10)).isEmpty();
    }

    @Test
    void lookupCacheIsBoundedInKeys() {
        ZooKeeperBackend a = backend("appliance-a", settings.withCache(3, Duration.ofMinutes(1)), 100);
        for (int i = 0; i < 10; i++) {
            a.lookup("k" + i, 5);
        }
        assertThat(a.cachedKeys()).isEqualTo(3);
    }

    @Test
    void afterARestartTheSameIdentityRenewsAndWithdrawsItsEntry(@TempDir Path data) throws Exception {
        Path identity = data.resolve("natgw/registry-owner");
        ZooKeeperBackend before = backend(OwnerIdentity.loadOrCreate(identity));
        before.announce("srv/k1", "198.19.0.1:7000", TTL);
        // the appliance stops without closing: its session, and the entry, live on until the session times out
        ZooKeeperBackend reader = backend("reader");

        ZooKeeperBackend after = backend(OwnerIdentity.loadOrCreate(identity));
        assertThat(after.owner()).isEqualTo(before.owner()).startsWith("natgw-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity))).isEqualTo("rw-------");
        ZooKeeperBackend stranger = backend(OwnerIdentity.random());
        assertThatThrownBy(() -> stranger.announce("srv/k1", "198.19.0.1:7000", TTL))
                .isInstanceOf(IllegalStateException.class);
        assertThat(stranger.withdraw("srv/k1", "198.19.0.1:7000")).isFalse();

        clock.advance(Duration.ofSeconds(10));
        RegistryEntry renewed = after.announce("srv/k1", "198.19.0.1:7000", TTL);
        assertThat(reader.lookup("srv/k1", 10)).containsExactly(renewed);
        Stat stat = after.client().checkExists().forPath(keyPath("srv/k1") + "/"
                + ZnodeNames.valueId("198.19.0.1:7000"));
        assertThat(stat.getEphemeralOwner()).as("now held by the new session").isEqualTo(after.sessionId());
        before.close();
        assertThat(reader.lookup("srv/k1", 10)).as("the old session's end takes nothing").containsExactly(renewed);

        assertThat(after.withdraw("srv/k1", "198.19.0.1:7000")).isTrue();
        assertThat(reader.lookup("srv/k1", 10)).isEmpty();
    }

    @Test
    void anIdentityFileThatIsNotANameIsRefused(@TempDir Path data) throws Exception {
        Path identity = data.resolve("registry-owner");
        Files.writeString(identity, "two words\n");
        assertThatThrownBy(() -> OwnerIdentity.loadOrCreate(identity)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(identity.toString());
        Files.write(identity, new byte[100_000]);
        assertThatThrownBy(() -> OwnerIdentity.loadOrCreate(identity)).isInstanceOf(IllegalStateException.class);
    }
}
