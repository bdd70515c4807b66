package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two appliances sharing a registry on a real ZooKeeper server (Curator's TestingServer): each sees the other's
 * forwarder; when appliance A dies (its registry session ends, nothing is withdrawn) its forwarder's announcement is
 * gone for B, and a server that was registered with A's forwarder finds B's through B's HTTP face and moves there.
 */
class TwoAppliancesZooKeeperTest {

    private final TestingServer zk;
    private final Map<String, Object> zkConfig;
    private final RegistryManager registryA;
    private final RegistryManager registryB;
    private final ForwarderManager forwarderA;
    private ForwarderManager forwarderB;
    private final FaceServer faceB;

    TwoAppliancesZooKeeperTest() throws Exception {
        zk = new TestingServer(true);
        zkConfig = Map.of("backend", "zookeeper", "zookeeper.connect", zk.getConnectString(),
                "zookeeper.session.timeout", 4, "zookeeper.connect.timeout", 5,
                "zookeeper.auth.digest", "natgw:two-appliances");
        registryA = new RegistryManager(Configs.registry(zkConfig));
        registryB = new RegistryManager(Configs.registry(zkConfig));
        forwarderA = Fixture.forwarder(registryA, Map.of("announce", true));
        faceB = new FaceServer(registryB);
    }

    @AfterEach
    void stop() throws Exception {
        faceB.close();
        if (forwarderB != null) {
            forwarderB.deactivate();
        }
        if (forwarderA.info().state() != ForwarderState.STOPPED) {
            forwarderA.deactivate();
        }
        TestRegistry.stop(registryB);
        zk.close();
    }

    private List<String> forwardersSeenBy(RegistryManager r) {
        return r.lookup(ForwarderService.ANNOUNCE_KEY, 10).stream().map(e -> e.value()).sorted().toList();
    }

    @Test
    void anApplianceThatDiesTakesItsForwarderAwayAndServersMoveToTheOther() throws Exception {
        String a = Fixture.endpoint(forwarderA).toString();
        await().atMost(Duration.ofSeconds(10)).until(() -> forwardersSeenBy(registryB).equals(List.of(a)));

        Identity id = Identity.generate();
        // each appliance keeps its own credentials: the key is allow-listed on both
        forwarderA.allow(id.key(), "");
        TraversalOptions options = TraversalOptions.builder().registry(faceB.uri()).direct(false)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
        try (TraversalServer server = TraversalServer.open(id, options)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            assertThat(server.endpoint().toString()).isEqualTo(a);
            Echo.serve(server);

            forwarderB = Fixture.forwarder(registryB, Map.of("announce", true));
            forwarderB.allow(id.key(), "");
            String b = Fixture.endpoint(forwarderB).toString();
            await().atMost(Duration.ofSeconds(10)).until(() -> forwardersSeenBy(registryB).size() == 2);

            // appliance A dies: its registry session ends first (no withdrawal), then its forwarder
            TestRegistry.stop(registryA);
            await().atMost(Duration.ofSeconds(10)).until(() -> forwardersSeenBy(registryB).equals(List.of(b)));
            forwarderA.deactivate();
            await().atMost(Duration.ofSeconds(5)).until(() -> b.equals(String.valueOf(server.endpoint())));
            // the server's value is the endpoint signed by its key (docs/protocol.md, section 10)
            await().atMost(Duration.ofSeconds(5)).until(() -> registryB.lookup(id.key(), 10).stream().anyMatch(e -> e
                    .value().startsWith(b + " natgw-sig-v1 ")));
            try (Socket s = new TraversalClient(options).connect(id.key())) {
                Echo.roundTrip(s, 50_000, 9);
            }
        }
    }
}
