package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 10,000 idle connections from another process: the forwarder holds them without a platform thread each, within a
 * bounded heap, keeps serving an honest server and client meanwhile, refuses connections past max.connections, and
 * closes every idle one at the handshake deadline, giving back its file descriptors. Prints its measurements.
 *
 * <p>
 * Holding and reaping are two tests because one deadline cannot serve both: to hold all of them at once the handshake
 * deadline must outlast the opening, which under load takes longer than any short deadline (20 s for 10,000 on a busy
 * machine), while reaping is only worth waiting for with a short one. So the holding test sets the longest deadline
 * and lets the peer leave at its end, and the reaping test counts timeouts however long the opening takes.
 */
class HostilePeersTest {

    private static final int IDLE = 10_000;

    private final RegistryManager registry = Fixture.registry();
    private ForwarderManager fwd;
    private Process child;

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.getOutputStream().close();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        if (fwd != null) {
            fwd.deactivate();
        }
        TestRegistry.stop(registry);
    }

    private static long fds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int platformThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Starts the hostile peer and waits until it has opened its connections (it gives up on its own after 60 s). */
    private void openIdleConnections() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long start = System.nanoTime();
        child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                IdleConnector.class.getName(), "127.0.0.1", String.valueOf(fwd.boundAddress().getPort()), String
                        .valueOf(IDLE),
                "120000").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII));
        assertThat(out.readLine()).isEqualTo("opened " + IDLE + " failed 0");
        System.out.printf("the peer opened %d connections in %d ms%n", IDLE, TimeUnit.NANOSECONDS.toMillis(System
                .nanoTime() - start));
    }

    /** Ends the hostile peer's hold: it closes its connections and exits. */
    private void releaseIdleConnections() throws Exception {
        child.getOutputStream().close();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void tenThousandIdleConnectionsAreHeldCheaplyAndRefusedPastTheBound() throws Exception {
        // the longest handshake deadline: none of them may be reaped before all are open and measured
        fwd = Fixture.forwarder(registry, Map.of("max.connections", IDLE + 100, "handshake.timeout", 300,
                "idle.timeout", 30, "heartbeat.interval", 5));
        long fds0 = fds();
        long heap0 = heapAfterGc();
        int threads0 = platformThreads();

        openIdleConnections();
        // the last ones may still wait in the listener's backlog
        await().atMost(Duration.ofSeconds(20)).until(() -> fwd.load().connections() >= IDLE);
        long fds1 = fds();
        long heap1 = heapAfterGc();
        int threads1 = platformThreads();
        System.out.printf("forwarder holding %d idle connections: +%d fds, +%d platform threads, +%.1f MB heap"
                + " (%.0f bytes each)%n", fwd.load().connections(), fds1 - fds0, threads1 - threads0,
                (heap1 - heap0)
                        / 1e6,
                (double) (heap1 - heap0) / IDLE);
        assertThat(threads1 - threads0).as("platform threads added").isLessThan(20);
        assertThat(fds1 - fds0).as("fds added").isBetween((long) IDLE, (long) IDLE + 50);
        assertThat(heap1 - heap0).as("heap added").isLessThan(128L * 1024 * 1024);

        // honest traffic still works while they are held
        Identity id = Identity.generate();
        TraversalOptions o = TraversalOptions.builder().forwarder(Fixture.endpoint(fwd)).direct(false)
                .credential(Fixture
                        .credential(fwd))
                .build();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            Echo.serve(server);
            try (Socket s = new TraversalClient(o).connect(id.key())) {
                Echo.roundTrip(s, 64 * 1024, 7);
            }
            // past max.connections: refused at accept
            long refused0 = fwd.load().connectionsRefused();
            List<Socket> extra = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                extra.add(Fixture.open(fwd));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> fwd.load().connectionsRefused() - refused0 >= 100);
            assertThat(fwd.load().connections()).isLessThanOrEqualTo(IDLE + 100);
            assertThat(fwd.load().timeouts()).as("reaped before their deadline").isZero();
            for (Socket s : extra) {
                s.close();
            }

            // the peer leaves: every place and file descriptor comes back; the honest server stays
            releaseIdleConnections();
            await().atMost(Duration.ofSeconds(20)).until(() -> fwd.load().connections() <= 2);
            assertThat(fwd.servers()).hasSize(1);
            try (Socket s = new TraversalClient(o).connect(id.key())) {
                Echo.roundTrip(s, 64 * 1024, 8);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fds() < fds0 + 50);
        System.out.printf("after the peer left: %d connections, +%d fds, +%d platform threads%n", fwd.load()
                .connections(), fds() - fds0, platformThreads() - threads0);
    }

    @Test
    void tenThousandIdleConnectionsAreClosedAtTheHandshakeDeadline() throws Exception {
        fwd = Fixture.forwarder(registry, Map.of("max.connections", IDLE + 100, "handshake.timeout", 3,
                "idle.timeout", 30, "heartbeat.interval", 5));
        long fds0 = fds();
        Identity id = Identity.generate();
        TraversalOptions o = TraversalOptions.builder().forwarder(Fixture.endpoint(fwd)).direct(false)
                .credential(Fixture
                        .credential(fwd))
                .build();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(5))).isTrue();
            Echo.serve(server);

            // each idle one is closed at its own deadline, some while the peer is still opening the others; the
            // peer never closes them, so only the reaper can: every one is counted as a timeout
            openIdleConnections();
            await().atMost(Duration.ofSeconds(30)).until(() -> fwd.load().timeouts() >= IDLE);
            await().atMost(Duration.ofSeconds(10)).until(() -> fwd.load().connections() <= 1);
            assertThat(fwd.load().timeouts()).isEqualTo(IDLE);
            // the honest server, past its handshake, is not reaped with them
            assertThat(fwd.servers()).hasSize(1);
            try (Socket s = new TraversalClient(o).connect(id.key())) {
                Echo.roundTrip(s, 64 * 1024, 9);
            }
            assertThat(fds()).as("fds while the peer still holds its side").isLessThan(fds0 + 50);
        }
        System.out.printf("after the deadline: %d connections, %d timeouts, +%d fds%n", fwd.load().connections(), fwd
                .load().timeouts(), fds() - fds0);
    }
}
