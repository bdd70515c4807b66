package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.forwarder.Echo;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The library finding forwarders and keys through the registry's HTTP face: the reachability probe and direct
 * listening, forwarding when unreachable, and moving to another forwarder listed in the registry.
 */
class TraversalRegistryTest extends AnnouncedForwarders {

    TraversalRegistryTest() throws Exception {
        super();
    }

    private ForwarderManager announcedForwarder() {
        return announcedForwarder("127.0.0.1");
    }

    private ForwarderManager announcedForwarder(String host) {
        return announcedForwarder(host, 0);
    }

    private TraversalOptions.Builder options() {
        return TraversalOptions.builder().registry(face.uri()).backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(2)).handshakeTimeout(Duration.ofSeconds(3)).credential(Fixture
                        .credential());
    }

    @Test
    void aTlsForwarderFromTheRegistryIsPinnedByItsFingerprintWithNoTrustStore() throws Exception {
        // TLS with the certificate the forwarder generated: only its announcement says which one to trust
        ForwarderManager f = Fixture.forwarder(registry, Map.of("announce", true, "tls", "on"));
        forwarders.add(f);
        String announced = "natgw+tls://127.0.0.1:" + f.boundAddress().getPort() + "#" + f.info().fingerprint();
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.lookup(ForwarderService.ANNOUNCE_KEY, 10)
                .stream().anyMatch(e -> e.value().equals(announced)));
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options().direct(false).build())) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            // the server announces the forwarder as it reached it, pin included, signed: clients pin it too
            assertThat(server.endpoint().toString()).isEqualTo(announced);
            await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).equals(List.of(announced)));
            Echo.serve(server);
            try (Socket s = new TraversalClient(options().build()).connect(id.key())) {
                Echo.roundTrip(s, 2_000, 7);
            }
        }
        assertThat(f.counters().relaysOpened()).isEqualTo(1);
    }

    @Test
    void reachableServerListensDirectlyAfterTheProbe() throws Exception {
        ForwarderManager f = announcedForwarder();
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options().build())) {
            assertThat(server.direct()).isTrue();
            assertThat(server.endpoint().scheme()).isEqualTo(Endpoint.DIRECT);
            assertThat(f.counters().probes()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).contains(server.endpoint()
                    .toString()));
            Echo.serve(server);
            try (Socket s = new TraversalClient(options().build()).connect(id.key())) {
                Echo.roundTrip(s, 100_000, 1);
            }
            assertThat(f.counters().relaysOpened()).isZero();
        }
        // closing withdraws the announcement
        await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).isEmpty());
    }

    @Test
    void unreachableServerFallsBackToAForwarderFromTheRegistry() throws Exception {
        ForwarderManager f = announcedForwarder();
        Identity id = Identity.generate();
        // the direct listener on 127.0.0.2: the forwarder probes the control connection's source, 127.0.0.1
        TraversalOptions o = options().directBind(new InetSocketAddress("127.0.0.2", 0)).build();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.direct()).isFalse();
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            assertThat(server.endpoint()).isEqualTo(Fixture.endpoint(f));
            await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).equals(List.of(Fixture.endpoint(f)
                    .toString())));
            Echo.serve(server);
            try (Socket s = new TraversalClient(options().build()).connect(id.key())) {
                Echo.roundTrip(s, 100_000, 2);
            }
            assertThat(f.counters().relaysOpened()).isEqualTo(1);
        }
    }

    @Test
    void serverMovesToTheOtherAnnouncedForwarderAndTheRegistryFollows() throws Exception {
        ForwarderManager a = announcedForwarder();
        ForwarderManager b = announcedForwarder();
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options().direct(false).build())) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            Echo.serve(server);
            ForwarderManager victim = server.endpoint().equals(Fixture.endpoint(a)) ? a : b;
            ForwarderManager other = victim == a ? b : a;
            victim.deactivate();
            await().atMost(Duration.ofSeconds(3)).until(() -> values(id.key()).equals(List.of(Fixture.endpoint(
                    other).toString())));
            try (Socket s = new TraversalClient(options().build()).connect(id.key())) {
                Echo.roundTrip(s, 100_000, 3);
            }
            assertThat(server.registrations()).isEqualTo(2);
        }
    }

    @Test
    void aDirectServerNoLongerReachableMovesToAForwarderAndComesBackWhenReachableAgain() throws Exception {
        ForwarderManager v4 = announcedForwarder();
        Identity id = Identity.generate();
        TraversalOptions o = options().directBind(new InetSocketAddress("127.0.0.1", 0)).reprobeInterval(Duration
                .ofMillis(200)).build();
        TraversalClient client = new TraversalClient(options().build());
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.direct()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).equals(List.of(server.endpoint()
                    .toString())));
            Echo.serve(server);
            // while reachable, the re-probes of the live listener keep it direct and clients keep being served
            long seed = 0;
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (v4.counters().probes() < 4 && System.nanoTime() < until) {
                try (Socket s = client.connect(id.key())) {
                    Echo.roundTrip(s, 1000, seed++);
                }
            }
            assertThat(v4.counters().probes()).isGreaterThanOrEqualTo(4);
            assertThat(server.direct()).isTrue();
            assertThat(v4.counters().relaysOpened()).isZero();

            // the only forwarder left sees this host as ::1, where the server does not listen: the next re-probe
            // fails and the server registers with that forwarder instead
            v4.deactivate();
            ForwarderManager v6 = announcedForwarder("::1");
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.direct() && server.endpoint() != null);
            assertThat(server.endpoint().port()).isEqualTo(v6.boundAddress().getPort());
            await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).equals(List.of(server.endpoint()
                    .toString())));
            try (Socket s = client.connect(id.key())) {
                Echo.roundTrip(s, 100_000, seed++);
            }
            assertThat(v6.counters().relaysOpened()).isEqualTo(1);

            // reachable again (a forwarder on 127.0.0.1 takes over): it listens directly and leaves the forwarder
            ForwarderManager back = announcedForwarder();
            v6.deactivate();
            await().atMost(Duration.ofSeconds(5)).until(server::direct);
            await().atMost(Duration.ofSeconds(5)).until(() -> values(id.key()).equals(List.of(server.endpoint()
                    .toString())));
            assertThat(server.endpoint().scheme()).isEqualTo(Endpoint.DIRECT);
            try (Socket s = client.connect(id.key())) {
                Echo.roundTrip(s, 100_000, seed);
            }
            assertThat(back.counters().relaysOpened()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> back.load().servers() == 0);
        }
    }

    @Test
    void aServerMovingBackAndForthBetweenDirectAndForwardedTurnsNoClientAway() throws Exception {
        // one forwarder reaches the listener on 127.0.0.1, the other (on ::1) does not: each re-probe asks one of the
        // two at random, so the server keeps moving between direct and forwarded
        ForwarderManager v4 = announcedForwarder();
        ForwarderManager v6 = announcedForwarder("::1");
        Identity id = Identity.generate();
        TraversalOptions o = options().directBind(new InetSocketAddress("127.0.0.1", 0)).reprobeInterval(Duration
                .ofMillis(200)).build();
        TraversalClient client = new TraversalClient(options().build());
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !values(id.key()).isEmpty());
            Echo.serve(server);
            AtomicInteger served = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (int c = 0; c < 4; c++) {
                int seed = c;
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; System.nanoTime() < end && failures.isEmpty(); i++) {
                        try (Socket s = client.connect(id.key())) {
                            s.setSoTimeout(10_000);
                            Echo.roundTrip(s, 2000, seed * 1_000_000L + i);
                            served.incrementAndGet();
                        } catch (IOException | AssertionError e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            long relayed = v4.counters().relaysOpened() + v6.counters().relaysOpened();
            System.out.println("moving server: " + served + " clients served, " + relayed + " relayed, "
                    + server.registrations() + " registrations, " + (v4.counters().probes() + v6.counters().probes())
                    + " probes");
            assertThat(failures).isEmpty();
            // it did move, both ways, several times, and clients came both ways
            assertThat(server.registrations()).isGreaterThanOrEqualTo(3);
            assertThat(relayed).isPositive();
            assertThat(served.get()).isGreaterThan((int) relayed);
        }
    }
}
