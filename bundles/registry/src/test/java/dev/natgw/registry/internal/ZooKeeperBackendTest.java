package dev.natgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ZooKeeper backend against a real ZooKeeper server in this JVM (Curator's TestingServer). */
class ZooKeeperBackendTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static TestingServer server;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-events"));
    private ZooKeeperSettings settings;
    private ZooKeeperBackend a;
    private ZooKeeperBackend b;

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void twoAppliances() {
        settings = new ZooKeeperSettings(server.getConnectString(), "/natgw/test" + ROOTS.incrementAndGet(),
                Duration.ofSeconds(10), Duration.ofSeconds(10)).withDigest("natgw:backend-test");
        a = backend("appliance-a", 100);
        b = backend("appliance-b", 100);
    }

    private ZooKeeperBackend backend(String owner, int maxEntries) {
        return new ZooKeeperBackend(owner, clock, settings, events, null, maxEntries, 10);
    }

    @AfterEach
    void stop() throws InterruptedException {
        a.close();
        b.close();
        events.shutdown();
        assertThat(events.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void oneAppliancesAnnouncementIsSeenByTheOther() {
        RegistryEntry entry = a.announce("fwd", "198.19.0.1:7000", TTL);

        assertThat(entry.owner()).isEqualTo("appliance-a");
        assertThat(b.lookup("fwd", 10)).containsExactly(entry);
        assertThat(a.lookup("fwd", 10)).containsExactly(entry);
        assertThat(b.lookup("nothing", 10)).isEmpty();
        assertThat(b.backend()).isEqualTo(Registry.BACKEND_ZOOKEEPER);
    }

    @Test
    void bothAppliancesAddTheirOwnValuesUnderOneKey() {
        a.announce("fwd", "a:1", TTL);
        b.announce("fwd", "b:1", TTL);
        a.announce("fwd", "a:1", TTL); // refresh

        assertThat(a.lookup("fwd", 10)).extracting(RegistryEntry::owner)
                .containsExactlyInAnyOrder("appliance-a", "appliance-b");
        assertThat(a.lookup("fwd", 1)).hasSize(1);
        assertThat(b.keys("")).containsExactly(Map.entry("fwd", 2));
    }

    @Test
    void onlyTheOwnerRefreshesOrWithdraws() {
        a.announce("fwd", "a:1", TTL);

        assertThatThrownBy(() -> b.announce("fwd", "a:1", TTL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("appliance-a");
        assertThat(b.withdraw("fwd", "a:1")).isFalse();
        assertThat(b.lookup("fwd", 10)).hasSize(1);

        assertThat(a.withdraw("fwd", "a:1")).isTrue();
        assertThat(a.withdraw("fwd", "a:1")).isFalse();
        assertThat(b.lookup("fwd", 10)).isEmpty();
    }

    @Test
    void expiredEntriesAreIgnoredAndTheirOwnerDeletesThem() throws Exception {
        a.announce("fwd", "short", Registry.MIN_TTL);
        a.announce("fwd", "long", TTL);
        Recorder recorder = new Recorder();
        b.watch("fwd", recorder);
        await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("long", "short").equals(recorder.last()));

        clock.advance(Duration.ofSeconds(2));
        assertThat(b.lookup("fwd", 10)).extracting(RegistryEntry::value).containsExactly("long");
        b.sweep(); // not b's entry: left alone
        assertThat(a.client().checkExists().forPath(settings.root() + "/" + ZnodeNames.bucket("fwd") + "/fwd"))
                .isNotNull();
        a.sweep();

        await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("long").equals(recorder.last()));
        assertThat(b.keys("")).containsExactly(Map.entry("fwd", 1));
    }

    @Test
    void watchSeesTheOtherAppliancesChangesInOrder() {
        // announce b, then withdraw a: the key is never empty in between, and no watcher may say it was. Curator's
        // cache alone did, about once in 30 rounds here (it learns of a deletion before it has listed a new child)
        for (int round = 0; round < 20; round++) {
            String key = "fwd" + round;
            Recorder recorder = new Recorder();
            Registry.Watch watch = b.watch(key, recorder);
            try {
                await().atMost(10, TimeUnit.SECONDS).until(() -> List.of().equals(recorder.last()));
                List<List<String>> states = List.of(List.of(), List.of("a"), List.of("a", "b"), List.of("b"));

                a.announce(key, "a", TTL);
                a.announce(key, "b", TTL);
                a.withdraw(key, "a");

                await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("b").equals(recorder.last()));
                int at = -1;
                for (List<String> call : recorder.calls) {
                    int index = states.indexOf(call);
                    assertThat(index).as("round %d: call %s after state %s", round, call, at)
                            .isGreaterThanOrEqualTo(at);
                    at = index;
                }
                assertThat(recorder.mostAtOnce).isEqualTo(1);
                assertThat(recorder.threads).containsOnly("test-events");
            } finally {
                watch.close();
            }
        }
    }

    @Test
    void anExpiredSessionRemovesItsAnnouncementsForTheOther() throws Exception {
        a.announce("fwd", "a:1", TTL);
        a.announce("srv/key1", "fwd-a", TTL);
        b.announce("fwd", "b:1", TTL);
        Recorder recorder = new Recorder();
        b.watch("fwd", recorder);
        await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("a:1", "b:1").equals(recorder.last()));

        expireSession(a);

        await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("b:1").equals(recorder.last()));
        assertThat(b.lookup("fwd", 10)).extracting(RegistryEntry::value).containsExactly("b:1");
        assertThat(b.lookup("srv/key1", 10)).isEmpty();
        // a lives on: its client gets a new session and its next announcement comes back
        await().atMost(20, TimeUnit.SECONDS).ignoreExceptions().until(() -> a.announce("fwd", "a:1", TTL) != null);
        assertThat(b.lookup("fwd", 10)).hasSize(2);
    }

    @Test
    void aClosedApplianceTakesItsAnnouncementsWithIt() {
        a.announce("fwd", "a:1", TTL);
        Recorder recorder = new Recorder();
        b.watch("fwd", recorder);
        await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("a:1").equals(recorder.last()));

        a.close();

        await().atMost(10, TimeUnit.SECONDS).until(() -> List.of().equals(recorder.last()));
        assertThat(b.lookup("fwd", 10)).isEmpty();
        assertThatThrownBy(() -> a.lookup("fwd", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keysWithSlashesAndDotsRoundTrip() {
        a.announce("srv/abc.def", "x", TTL);
        a.announce(".", "dot", TTL);
        a.announce("..", "dots", TTL);

        assertThat(b.keys("")).containsOnlyKeys("srv/abc.def", ".", "..");
        assertThat(b.lookup("..", 10)).extracting(RegistryEntry::value).containsExactly("dots");
        assertThat(b.list("srv/", 10)).extracting(RegistryEntry::key).containsExactly("srv/abc.def");
    }

    @Test
    void listingGoesAcrossKeysByPrefixInKeyOrderBoundedWithExpiry() {
        a.announce("zl/b", "1", TTL);
        a.announce("zl/a", "1", TTL);
        b.announce("zl/a", "2", TTL);
        a.announce("other", "x", TTL);

        // seen from either instance, whoever announced
        List<RegistryEntry> listed = b.list("zl/", 10);
        assertThat(listed).extracting(RegistryEntry::key).containsExactly("zl/a", "zl/a", "zl/b");
        assertThat(listed).extracting(RegistryEntry::owner).contains("appliance-a", "appliance-b");
        assertThat(listed).allMatch(e -> e.expires().isAfter(clock.instant().plus(TTL).minusSeconds(1)));
        assertThat(a.list("", 100)).extracting(RegistryEntry::key).containsExactly("other", "zl/a", "zl/a", "zl/b");
        assertThat(a.list("", 2)).hasSize(2);
        assertThat(a.list("nothing/", 5)).isEmpty();
        assertThatThrownBy(() -> a.list("", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ownEntriesAndWatchesAreBounded() {
        a.close();
        a = backend("appliance-a", 1);
        a.announce("k1", "v", TTL);

        assertThatThrownBy(() -> a.announce("k2", "v", TTL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("max.entries=1");
        a.announce("k1", "v", TTL);
        for (int i = 0; i < 10; i++) {
            b.watch("k" + i, new Recorder());
        }
        assertThatThrownBy(() -> b.watch("k10", new Recorder())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("max.watches=10");
    }

    @Test
    void anUnreachableEnsembleFailsWithinTheTimeout() {
        ZooKeeperBackend away = new ZooKeeperBackend("x", clock,
                new ZooKeeperSettings("127.0.0.1:1", "/natgw/away", Duration.ofSeconds(2), Duration.ofSeconds(1)),
                events, null, 10, 10);
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> away.lookup("fwd", 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        } finally {
            away.close();
        }
    }

    /** Ends a's session on the server as a lost appliance's would end: a second client on it closes it. */
    private static void expireSession(ZooKeeperBackend backend) throws Exception {
        ZooKeeper zk = backend.client().getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(server.getConnectString(), 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, zk.getSessionId(), zk.getSessionPasswd());
        try {
            assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            twin.close(10_000);
        }
    }
}
