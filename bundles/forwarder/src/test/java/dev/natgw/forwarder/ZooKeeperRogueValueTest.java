package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.PeerConnection;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whoever can write the registry's ZooKeeper (here a second registry instance with the same credentials, on a real
 * ZooKeeper server) adds values under a server's key: clients skip them, since they carry no signature of the key
 * (docs/protocol.md, section 10), and never connect to where they point.
 */
class ZooKeeperRogueValueTest {

    private final TestingServer zk;
    private final RegistryManager appliance;
    private final RegistryManager intruder;
    private final ForwarderManager forwarder;
    private final FaceServer face;
    private final ServerSocket impostor = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger impostorConnections = new AtomicInteger();

    ZooKeeperRogueValueTest() throws Exception {
        zk = new TestingServer(true);
        Map<String, Object> zkConfig = Map.of("backend", "zookeeper", "zookeeper.connect", zk.getConnectString(),
                "zookeeper.session.timeout", 4, "zookeeper.connect.timeout", 5, "zookeeper.auth.digest",
                "natgw:rogue-values");
        appliance = new RegistryManager(Configs.registry(zkConfig));
        intruder = new RegistryManager(Configs.registry(zkConfig));
        forwarder = Fixture.forwarder(appliance, Map.of());
        face = new FaceServer(appliance);
        Thread.ofVirtual().start(() -> {
            while (true) {
                try {
                    impostor.accept().close();
                    impostorConnections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        impostor.close();
        face.close();
        if (forwarder.info().state() != ForwarderState.STOPPED) {
            forwarder.deactivate();
        }
        TestRegistry.stop(intruder);
        TestRegistry.stop(appliance);
        zk.close();
    }

    @Test
    void valuesWrittenStraightIntoZooKeeperAreSkipped() throws Exception {
        Identity owner = Identity.generate();
        TraversalOptions options = TraversalOptions.builder().registry(face.uri()).forwarder(Fixture.endpoint(
                forwarder)).direct(false).backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .credential(Fixture.credential()).build();
        String rogue = "tcp://127.0.0.1:" + impostor.getLocalPort();
        try (TraversalServer server = TraversalServer.open(owner, options)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            Echo.serve(server);
            intruder.announce(owner.key(), rogue, Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10)).until(() -> appliance.lookup(owner.key(), 10).size() == 2);

            TraversalClient client = new TraversalClient(TraversalOptions.builder().registry(face.uri()).build());
            for (int i = 0; i < 10; i++) {
                PeerConnection c = client.open(owner.key());
                try (Socket s = c.socket()) {
                    assertThat(c.peerKey()).isEqualTo(owner.key());
                    Echo.roundTrip(s, 10_000, i);
                }
            }
        }
        // the owner gone, only the rogue value is left: refused, and the error names the key
        Identity gone = Identity.generate();
        intruder.announce(gone.key(), rogue, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).until(() -> !appliance.lookup(gone.key(), 1).isEmpty());
        assertThatThrownBy(() -> new TraversalClient(TraversalOptions.builder().registry(face.uri()).build())
                .connect(gone.key())).hasMessageContaining("cannot reach " + gone.key()).hasMessageContaining(rogue
                        + " is not signed by the owner of " + gone.key());
        assertThat(impostorConnections).hasValue(0);
    }
}
