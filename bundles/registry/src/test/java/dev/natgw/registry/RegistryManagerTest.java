package dev.natgw.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.registry.internal.Recorder;
import dev.natgw.testing.ConfigProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryManagerTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final String SECRET = "natgw:registry-secret-7f3a";

    private static boolean registryThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("natgw-registry-"));
    }

    @Test
    void embeddedByDefaultAndItsThreadsStopOnDeactivate() {
        RegistryManager manager = new RegistryManager(config());
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
        assertThatThrownBy(() -> new RegistryManager(zookeeper("backend", "etcd")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("backend ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.connect", "")))
                .hasMessageStartingWith("zookeeper.connect ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.connect", "zk1:2181,zk2")))
                .hasMessageStartingWith("zookeeper.connect ").hasMessageContaining("\"zk2\"");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.connect", "zk1:99999")))
                .hasMessageStartingWith("zookeeper.connect ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.root", "natgw")))
                .hasMessageStartingWith("zookeeper.root ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.root", "/natgw/")))
                .hasMessageStartingWith("zookeeper.root ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.root", "/zookeeper/x")))
                .hasMessageStartingWith("zookeeper.root ");
        assertThatThrownBy(
                () -> new RegistryManager(zookeeper("zookeeper.session.timeout", 0, "zookeeper.connect.timeout", 10)))
                .hasMessageStartingWith("zookeeper.session.timeout ");
        assertThatThrownBy(
                () -> new RegistryManager(zookeeper("zookeeper.session.timeout", 30, "zookeeper.connect.timeout", 601)))
                .hasMessageStartingWith("zookeeper.connect.timeout ");
        assertThatThrownBy(() -> new RegistryManager(config("max.entries", 0, "max.watches", 10)))
                .hasMessageStartingWith("max.entries ");
        assertThatThrownBy(() -> new RegistryManager(config("max.entries", 10, "max.watches", -1)))
                .hasMessageStartingWith("max.watches ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.auth", "kerberos")))
                .hasMessageStartingWith("zookeeper.auth ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.cache.max.keys", 0)))
                .hasMessageStartingWith("zookeeper.cache.max.keys ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.cache.ttl", 86_401)))
                .hasMessageStartingWith("zookeeper.cache.ttl ");
        assertThatThrownBy(() -> new RegistryManager(config("owner", "has space")))
                .hasMessageStartingWith("owner ");
        // digest is the default: the zookeeper backend without a credential is refused, and a malformed credential
        // is refused without being repeated
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.auth.digest", "")))
                .hasMessageStartingWith("zookeeper.auth.digest ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.auth.digest", "no-colon-secret")))
                .hasMessageStartingWith("zookeeper.auth.digest ").hasMessageNotContaining("no-colon-secret");
        // TLS: the stores must be there, and x509 authentication needs the appliance's own certificate
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.tls", true, "zookeeper.tls.truststore",
                "/nonexistent/zk-trust.p12"))).hasMessageStartingWith("zookeeper.tls.truststore ")
                .hasMessageContaining("/nonexistent/zk-trust.p12");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.tls", true, "zookeeper.tls.keystore",
                "missing-key.p12"))).hasMessageStartingWith("zookeeper.tls.keystore ");
        assertThatThrownBy(() -> new RegistryManager(zookeeper("zookeeper.auth", "x509", "zookeeper.tls", true)))
                .hasMessageStartingWith("zookeeper.auth=x509 ");
        // the embedded backend does not read the zookeeper keys
        RegistryManager embedded = new RegistryManager(config("zookeeper.connect", "", "zookeeper.root", ""));
        embedded.deactivate();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !registryThreadsAlive());
    }

    @Test
    void aNewConfigurationSwapsTheBackendAndCarriesWatchesOver() throws Exception {
        try (TestingServer server = new TestingServer(true)) {
            RegistryManager other = new RegistryManager(
                    zookeeper("zookeeper.connect", server.getConnectString(), "zookeeper.root", "/swap"),
                    Clock.systemUTC(), "other");
            RegistryManager manager = new RegistryManager(config());
            try {
                other.announce("fwd", "on-zookeeper", TTL);
                manager.announce("fwd", "in-memory", TTL);
                Recorder recorder = new Recorder();
                manager.watch("fwd", recorder);
                await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("in-memory").equals(recorder.last()));

                manager.modified(zookeeper("zookeeper.connect", server.getConnectString(), "zookeeper.root", "/swap"));

                assertThat(manager.backend()).isEqualTo(Registry.BACKEND_ZOOKEEPER);
                await().atMost(10, TimeUnit.SECONDS).until(() -> List.of("on-zookeeper").equals(recorder.last()));
                manager.announce("fwd", "mine", TTL);
                await().atMost(10, TimeUnit.SECONDS)
                        .until(() -> List.of("mine", "on-zookeeper").equals(recorder.last()));
                assertThat(other.lookup("fwd", 10)).extracting(RegistryEntry::owner)
                        .contains(manager.owner());

                assertThatThrownBy(() -> manager.modified(config("backend", "nope")))
                        .hasMessageStartingWith("backend ");
                assertThat(manager.backend()).as("a refused configuration keeps the backend")
                        .isEqualTo(Registry.BACKEND_ZOOKEEPER);

                manager.modified(config());
                await().atMost(10, TimeUnit.SECONDS).until(() -> List.of().equals(recorder.last()));
                await().atMost(10, TimeUnit.SECONDS).until(() -> other.lookup("fwd", 10).size() == 1);
            } finally {
                manager.deactivate();
                other.deactivate();
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> !registryThreadsAlive());
    }

    @Test
    void theOwnerIsKeptInKarafDataAcrossRestartsUnlessConfigured(@TempDir Path data) throws Exception {
        String before = System.getProperty("karaf.data");
        System.setProperty("karaf.data", data.toString());
        try {
            RegistryManager first = new RegistryManager(config());
            String owner = first.owner();
            first.deactivate();
            RegistryManager second = new RegistryManager(config());
            assertThat(second.owner()).as("the same identity after a restart").isEqualTo(owner);
            second.modified(config("owner", "standby-of-a"));
            assertThat(second.owner()).isEqualTo("standby-of-a");
            assertThat(second.announce("fwd", "x:1", TTL).owner()).isEqualTo("standby-of-a");
            second.deactivate();
            Path file = data.resolve("natgw/registry-owner");
            assertThat(Files.readString(file).strip()).isEqualTo(owner);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        } finally {
            if (before == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", before);
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> !registryThreadsAlive());
    }

    /** {@return the configuration with the given keys set, the others at the annotation defaults (embedded)} */
    private static RegistryConfig config(Object... keysAndValues) {
        return ConfigProxy.of(RegistryConfig.class, keysAndValues);
    }

    /** {@return a ZooKeeper configuration with a 10 s session timeout and the given keys set on top} */
    private static RegistryConfig zookeeper(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>(Map.of("backend", "zookeeper", "zookeeper.session.timeout", 10,
                "zookeeper.auth.digest", SECRET));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return ConfigProxy.of(RegistryConfig.class, properties);
    }
}
