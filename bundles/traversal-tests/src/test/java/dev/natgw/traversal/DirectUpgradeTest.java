package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.forwarder.Echo;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.protocol.Keys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hole punching on loopback through a real forwarder: a relayed stream moves to the direct path while it runs, both
 * ways, without loss or reordering; a failed punch leaves the relay as it was; a lying peer gets one address tried a
 * bounded number of times, and a direct connection from anyone but the relayed peer is refused.
 */
class DirectUpgradeTest {

    private final RegistryManager registry = Fixture.registry();
    private final ForwarderManager f = Fixture.forwarder(registry, Map.of());

    @AfterEach
    void stop() {
        f.deactivate();
        TestRegistry.stop(registry);
    }

    private TraversalOptions options() {
        return TraversalOptions.builder().direct(false).backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(2)).handshakeTimeout(Duration.ofSeconds(3)).credential(Fixture
                        .credential())
                .forwarder(Fixture.endpoint(f)).build();
    }

    /** Echoes each accepted connection and hands its socket to the test. */
    private static CompletableFuture<Socket> echoOne(TraversalServer server) {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket c = server.accept()) {
                accepted.complete(c);
                c.getInputStream().transferTo(c.getOutputStream());
                c.shutdownOutput();
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        });
        return accepted;
    }

    @Test
    void aRelayedStreamSwitchesToDirectMidTransferWithoutLossOrReordering() throws Exception {
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options(), ClientPolicy.OPEN, true)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            CompletableFuture<Socket> serverSide = echoOne(server);
            TraversalClient client = new TraversalClient(options(), null, null, true);
            try (Socket s = client.connect(id.key())) {
                UpgradableSocket u = (UpgradableSocket) s;
                // writes go on until 4 MiB went after the upgrade's end, so the switch falls inside the stream
                PunchTransfer.Result r = PunchTransfer.run(s, 4 << 20, 7);
                assertThat(r.relayed()).as("bytes sent over the relay before the switch").isPositive();
                assertThat(r.direct()).as("bytes sent directly after the switch").isGreaterThanOrEqualTo(4 << 20);
                assertThat(r.intact()).as("the echo, whole and in order: " + r).isTrue();
                assertThat(u.upgrade().toCompletableFuture().get(10, TimeUnit.SECONDS).direct()).isTrue();
                UpgradableSocket far = (UpgradableSocket) serverSide.get(10, TimeUnit.SECONDS);
                assertThat(far.upgrade().toCompletableFuture().get(10, TimeUnit.SECONDS).direct()).isTrue();
                // not everything crossed the forwarder (each direction switches on its own time, so how much of the
                // echo's direction did is not the client's figure)
                long total = r.relayed() + r.direct();
                assertThat(f.counters().bytesRelayed()).isLessThan(2 * total);
                System.out.println("relayed by the client " + r.relayed() + " B, direct " + r.direct()
                        + " B; the forwarder relayed " + f.counters().bytesRelayed() + " B both ways");
            }
        }
    }

    @Test
    void aClientWithoutTheUpgradeIsServedAsBefore() throws Exception {
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options(), ClientPolicy.OPEN, true)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            Echo.serve(server);
            try (Socket s = new TraversalClient(options()).connect(id.key())) {
                assertThat(s).isNotInstanceOf(UpgradableSocket.class);
                Echo.roundTrip(s, 256 * 1024, 3);
            }
        }
    }

    /**
     * A client (the test, through the library's own parts) that lies about its candidate, naming a third party: the
     * server tries that one address, once, since a TCP connection was made; the third party, not knowing the token,
     * is refused; the relay carries on.
     */
    @Test
    void aBogusCandidateCostsOneAttemptAndTheImpostorIsRefused() throws Exception {
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options(), ClientPolicy.OPEN, true);
                ServerSocket thirdParty = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.3"))) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            AtomicInteger reached = new AtomicInteger();
            List<String> impostor = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                while (true) {
                    try (Socket s = thirdParty.accept()) {
                        reached.incrementAndGet();
                        // the third party plays the client on the direct connection, with a guessed token
                        E2e.client(E2e.context(null), s, id.key(), Endpoint.parse("tcp://127.0.0.1:1"), Keys.nonce(),
                                Duration.ofSeconds(3));
                        impostor.add("admitted");
                    } catch (IOException e) {
                        if (thirdParty.isClosed()) {
                            return;
                        }
                        impostor.add(e.getMessage());
                    }
                }
            });
            CompletableFuture<Socket> serverSide = echoOne(server);
            // another loopback address than the client's, so that the server's listener does not take the client's
            // own (honest) punch from 127.0.0.1 for the third party's
            PeerConnection c = liar(id, "127.0.0.3:" + thirdParty.getLocalPort());
            try (Socket s = c.socket()) {
                UpgradableSocket far = (UpgradableSocket) serverSide.get(10, TimeUnit.SECONDS);
                UpgradableSocket.Outcome o = far.upgrade().toCompletableFuture().get(15, TimeUnit.SECONDS);
                assertThat(o.direct()).isFalse();
                assertThat(o.detail()).contains("end-to-end handshake");
                assertThat(reached).hasValue(1);
                assertThat(impostor).singleElement().asString().contains("refused this client");
                assertThat(((UpgradableSocket) s).upgrade().toCompletableFuture().get(15, TimeUnit.SECONDS)
                        .direct()).isFalse();
                // the relay was never left
                Echo.roundTrip(s, 512 * 1024, 5);
            }
        }
    }

    /** A candidate where nobody listens: a bounded number of attempts within the window, then the relay as before. */
    @Test
    void aCandidateNobodyAnswersEndsWithinTheWindowOnTheRelay() throws Exception {
        Identity id = Identity.generate();
        int closed;
        try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            closed = tmp.getLocalPort();
        }
        try (TraversalServer server = TraversalServer.open(id, options(), ClientPolicy.OPEN, true)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            CompletableFuture<Socket> serverSide = echoOne(server);
            PeerConnection c = liar(id, "127.0.0.2:" + closed);
            try (Socket s = c.socket()) {
                UpgradableSocket far = (UpgradableSocket) serverSide.get(10, TimeUnit.SECONDS);
                UpgradableSocket.Outcome o = far.upgrade().toCompletableFuture().get(15, TimeUnit.SECONDS);
                assertThat(o.direct()).isFalse();
                assertThat(o.detail()).contains("no direct connection to /127.0.0.2:" + closed);
                // the window, plus the candidate exchange and a retry's pause
                assertThat(o.took()).isLessThan(DirectUpgrade.WINDOW.plusSeconds(2));
                Echo.roundTrip(s, 512 * 1024, 9);
            }
        }
    }

    @Test
    void candidatesAreAddressLiteralsOnly() throws Exception {
        assertThatThrownBy(() -> DirectUpgrade.literal("localhost:80")).hasMessageContaining("not ip:port");
        assertThatThrownBy(() -> DirectUpgrade.literal("198.18.0.1:0")).hasMessageContaining("not ip:port");
        assertThatThrownBy(() -> DirectUpgrade.literal("0.0.0.0:80")).hasMessageContaining("not ip:port");
        assertThat(DirectUpgrade.literal("[::1]:443").getPort()).isEqualTo(443);
        assertThat(DirectUpgrade.literal("198.18.0.1:9").getAddress().getHostAddress()).isEqualTo("198.18.0.1");
    }

    /** A relayed client that offers the upgrade and then names the given address as its candidate. */
    private PeerConnection liar(Identity server, String candidate) throws IOException {
        TraversalOptions o = options();
        Endpoint via = Fixture.endpoint(f);
        javax.net.ssl.SSLContext ctx = E2e.context(null);
        PeerConnection relayed = E2e.client(ctx, Wire.connect(via, server.key(), o), server.key(), via, new byte[0],
                o.handshakeTimeout(), true);
        assertThat(E2e.upgradable(relayed)).isTrue();
        return DirectUpgrade.start(relayed, true, ctx, via, o, server.key(), candidate);
    }
}
