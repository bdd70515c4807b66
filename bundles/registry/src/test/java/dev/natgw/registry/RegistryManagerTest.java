package dev.natgw.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.registry.internal.Recorder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class RegistryManagerTest {

    private static final Duration TTL = Duration.ofSeconds(30);

    private static boolean registryThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("natgw-registry-"));
    }

    @Test
    void embeddedByDefaultAndItsThreadsStopOnDeactivate() {
        RegistryManager manager = new RegistryManager(TestConfig.embedded());
        try {
            assertThat(manager.backend()).isEqualTo(Registry.BACKEND_EMBEDDED);
            assertThat(manager.owner()).startsWith("natgw-");
            RegistryEntry entry = manager.announce("fwd", "198.19.0.1:7000", TTL);
            assertThat(entry.owner()).isEqualTo(manager.owner());
            assertThat(manager.lookup("fwd", 5)).containsExactly(entry);
            assertThat(manager.keys("")).containsEntry("fwd", 1);
            assertThat(manager.list("f", 5)).containsExactly(entry);
            Recorder recorder = new Recorder();
            manager.watch("fwd", recorder);
            await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("198.19.0.1:7000").equals(recorder.last()));
            assertThat(recorder.threads).containsOnly("natgw-registry-events");
            assertThat(manager.withdraw("fwd", "198.19.0.1:7000")).isTrue();
        } finally {
            manager.deactivate();
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> !registryThreadsAlive());
    }

    @Test
    void badConfigurationIsRefusedNamingTheKey() {
        TestConfig ok = TestConfig.zookeeper("127.0.0.1:2181", "/natgw/registry");
        assertThatThrownBy(() -> new RegistryManager(ok.withBackend("etcd")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("backend ");
        assertThatThrownBy(() -> new RegistryManager(ok.withConnect("")))
                .hasMessageStartingWith("zookeeper.connect ");
        assertThatThrownBy(() -> new RegistryManager(ok.withConnect("zk1:2181,zk2")))
                .hasMessageStartingWith("zookeeper.connect ").hasMessageContaining("\"zk2\"");
        assertThatThrownBy(() -> new RegistryManager(ok.withConnect("zk1:99999")))
                .hasMessageStartingWith("zookeeper.connect ");
        assertThatThrownBy(() -> new RegistryManager(ok.withRoot("natgw")))
                .hasMessageStartingWith("zookeeper.root ");
        assertThatThrownBy(() -> new RegistryManager(ok.withRoot("/natgw/")))
                .hasMessageStartingWith("zookeeper.root ");
        assertThatThrownBy(() -> new RegistryManager(ok.withRoot("/zookeeper/x")))
                .hasMessageStartingWith("zookeeper.root ");
        assertThatThrownBy(() -> new RegistryManager(ok.withTimeouts(0, 10)))
                .hasMessageStartingWith("zookeeper.session.timeout ");
        assertThatThrownBy(() -> new RegistryManager(ok.withTimeouts(30, 601)))
                .hasMessageStartingWith("zookeeper.connect.timeout ");
        assertThatThrownBy(() -> new RegistryManager(TestConfig.embedded().withBounds(0, 10)))
                .hasMessageStartingWith("max.entries ");
        assertThatThrownBy(() -> new RegistryManager(TestConfig.embedded().withBounds(10, -1)))
                .hasMessageStartingWith("max.watches ");
        // the embedded backend does not read the zookeeper keys
        RegistryManager embedded = new RegistryManager(TestConfig.embedded().withConnect("").withRoot(""));
        embedded.deactivate();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !registryThreadsAlive());
    }

    @Test
    void aNewConfigurationSwapsTheBackendAndCarriesWatchesOver() throws Exception {
        try (TestingServer server = new TestingServer(true)) {
            RegistryManager other = new RegistryManager(TestConfig.zookeeper(server.getConnectString(), "/swap"),
                    Clock.systemUTC(), "other");
            RegistryManager manager = new RegistryManager(TestConfig.embedded());
            try {
                other.announce("fwd", "on-zookeeper", TTL);
                manager.announce("fwd", "in-memory", TTL);
                Recorder recorder = new Recorder();
                manager.watch("fwd", recorder);
                await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("in-memory").equals(recorder.last()));

                manager.modified(TestConfig.zookeeper(server.getConnectString(), "/swap"));

                assertThat(manager.backend()).isEqualTo(Registry.BACKEND_ZOOKEEPER);
                await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("on-zookeeper").equals(recorder.last()));
                manager.announce("fwd", "mine", TTL);
                await().atMost(10, TimeUnit.SECONDS)
                        .until(() -> List.of("mine", "on-zookeeper").equals(recorder.last()));
                assertThat(other.lookup("fwd", 10)).extracting(RegistryEntry::owner)
                        .contains(manager.owner());

                assertThatThrownBy(() -> manager.modified(TestConfig.embedded().withBackend("nope")))
                        .hasMessageStartingWith("backend ");
                assertThat(manager.backend()).as("a refused configuration keeps the backend")
                        .isEqualTo(Registry.BACKEND_ZOOKEEPER);

                manager.modified(TestConfig.embedded());
                await().atMost(10, TimeUnit.SECONDS).until(() -> List.of().equals(recorder.last()));
                await().atMost(10, TimeUnit.SECONDS).until(() -> other.lookup("fwd", 10).size() == 1);
            } finally {
                manager.deactivate();
                other.deactivate();
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> !registryThreadsAlive());
    }
}
