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
 */
class HostilePeersTest {

    private static final int IDLE = 10_000;

    private final RegistryManager registry = Fixture.registry();
    private ForwarderManager fwd;

    @AfterEach
    void stop() {
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

    @Test
    void tenThousandIdleConnectionsAreHeldCheaplyRefusedPastTheBoundAndReaped() throws Exception {
        fwd = Fixture.forwarder(registry, Map.of("max.connections", IDLE + 100, "handshake.timeout", 8,
                "idle.timeout", 30, "heartbeat.interval", 5));
        int port = fwd.boundAddress().getPort();
        long fds0 = fds();
        long heap0 = heapAfterGc();
        int threads0 = platformThreads();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                IdleConnector.class.getName(), "127.0.0.1", String.valueOf(port), String.valueOf(IDLE), "60000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.US_ASCII));
            String line = out.readLine();
            assertThat(line).isEqualTo("opened " + IDLE + " failed 0");
            await().atMost(Duration.ofSeconds(20)).until(() -> fwd.load().connections() >= IDLE);

            long fds1 = fds();
            long heap1 = heapAfterGc();
            int threads1 = platformThreads();
            System.out.printf("forwarder holding %d idle connections: +%d fds, +%d platform threads, +%.1f MB heap"
                    + " (%.0f bytes each)%n", fwd.load().connections(), fds1 - fds0, threads1 - threads0,
                    (heap1 - heap0) / 1e6, (double) (heap1 - heap0) / IDLE);
            assertThat(threads1 - threads0).as("platform threads added").isLessThan(20);
            assertThat(fds1 - fds0).as("fds added").isBetween((long) IDLE, (long) IDLE + 50);
            assertThat(heap1 - heap0).as("heap added").isLessThan(128L * 1024 * 1024);

            // honest traffic still works while they are held
            Identity id = Identity.generate();
            TraversalOptions o = TraversalOptions.builder().forwarder(Fixture.endpoint(fwd)).direct(false).build();
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
                for (Socket s : extra) {
                    s.close();
                }
                // the idle ones reach their handshake deadline (8 s) and are closed; the honest server stays
                await().atMost(Duration.ofSeconds(20)).until(() -> fwd.load().connections() <= 2);
                assertThat(fwd.load().timeouts()).isGreaterThanOrEqualTo(IDLE);
                assertThat(fwd.servers()).hasSize(1);
                try (Socket s = new TraversalClient(o).connect(id.key())) {
                    Echo.roundTrip(s, 64 * 1024, 8);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> fds() < fds0 + 50);
            System.out.printf("after the deadline: %d connections, +%d fds, +%d platform threads%n", fwd.load()
                    .connections(), fds() - fds0, platformThreads() - threads0);
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }
}
