package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.forwarder.Echo;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code expose} as users run it, in a process of its own, against a real forwarder and the registry's HTTP face on
 * loopback: forwarded only (no listening socket) unless {@code --direct}, and in direct mode accepting for as long as
 * it runs.
 *
 * <p>
 * The direct run lasts {@code -Dnatgw.traversal.direct.span=SECONDS} (20 by default, so the suite stays fast; 600 for
 * the ten minutes of the issue). Its connections come after gaps of 50 ms to 12 s, longer than the 8 s after which
 * the old listener stopped accepting, with a re-probe every 15 s throughout (each probe is a connection too, so
 * the interval is longer than the gaps).
 */
class ExposeDirectTest extends CliTestBase {

    private static final Duration SPAN = Duration.ofSeconds(Long.getLong("natgw.traversal.direct.span", 20));
    /** Longer than the gaps: the forwarder's probes must not be what keeps the listener accepting. */
    private static final Duration REPROBE = Duration.ofSeconds(15);
    private static final List<Duration> GAPS = List.of(Duration.ofMillis(50), Duration.ofMillis(500), Duration
            .ofSeconds(2), Duration.ofSeconds(9), Duration.ofSeconds(12));

    @Test
    void exposeIsForwardedOnlyAndListensNowhereUnlessDirect() throws Exception {
        try (ServerSocket service = CliProcesses.echoService()) {
            CliProcesses.Running expose = cli.jar("expose", "--port", String.valueOf(service.getLocalPort()),
                    "--identity", dir.resolve("id").toString(), "--registry", face.uri().toString(), "--token",
                    Fixture.credential());
            String key = expose.nextLine(Duration.ofSeconds(20)).substring(4);
            assertThat(expose.nextLine(Duration.ofSeconds(20))).isEqualTo("published at " + Fixture.endpoint(fwd));
            assertThat(CliProcesses.listening(expose.process.pid())).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> values(key).equals(List.of(Fixture.endpoint(fwd)
                    .toString())));
            // no probe either: nothing to probe
            assertThat(fwd.counters().probes()).isZero();

            // --direct: the listener is there, on every address (what --direct is for), and the probe made it direct
            CliProcesses.Running direct = cli.jar("expose", "--port", String.valueOf(service.getLocalPort()),
                    "--identity", dir.resolve("id2").toString(), "--registry", face.uri().toString(), "--direct",
                    "--token", Fixture.credential());
            direct.nextLine(Duration.ofSeconds(20));
            assertThat(direct.nextLine(Duration.ofSeconds(20))).startsWith("published at tcp://127.0.0.1:");
            List<String> listening = CliProcesses.listening(direct.process.pid());
            assertThat(listening).hasSize(1);
            assertThat(CliProcesses.wildcard(listening.getFirst())).as(listening.getFirst()).isTrue();

            // options that only make sense with --direct are refused without it, before an identity is made
            Path none = dir.resolve("never-made");
            CliProcesses.Running bad = cli.jar("expose", "--port", "1", "--registry", face.uri().toString(),
                    "--identity", none.toString(), "--reprobe", "5");
            assertThat(bad.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.process.exitValue()).isEqualTo(2);
            assertThat(none).doesNotExist();
        }
    }

    /** {@return a connection straight to the published address, with the end-to-end handshake for key done} */
    private static Socket straightAt(Endpoint endpoint, String key) throws IOException {
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 2000);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
        return E2e.client(E2e.context(null), raw, key, endpoint, new byte[0], Duration.ofSeconds(5)).socket();
    }

    @Test
    void directExposeKeepsAcceptingConnectionsSpreadOverTime() throws Exception {
        try (ServerSocket service = CliProcesses.echoService()) {
            CliProcesses.Running expose = cli.jar("expose", "--port", String.valueOf(service.getLocalPort()),
                    "--identity", dir.resolve("id").toString(), "--registry", face.uri().toString(), "--direct",
                    "--reprobe", String.valueOf(REPROBE.toSeconds()), "--direct-bind", "127.0.0.1:0", "--token",
                    Fixture.credential());
            String key = expose.nextLine(Duration.ofSeconds(20)).substring(4);
            String published = expose.nextLine(Duration.ofSeconds(20));
            assertThat(published).startsWith("published at tcp://127.0.0.1:");
            Endpoint endpoint = Endpoint.parse(published.substring("published at ".length()));
            TraversalClient client = new TraversalClient(TraversalOptions.builder().registry(face.uri())
                    .connectTimeout(Duration.ofSeconds(2)).handshakeTimeout(Duration.ofSeconds(5)).build());

            long probesBefore = fwd.counters().probes();
            long start = System.nanoTime();
            long end = start + SPAN.toNanos();
            int connections = 0;
            for (int i = 0; System.nanoTime() < end; i++) {
                Duration gap = GAPS.get(i % GAPS.size());
                await().pollDelay(gap).atMost(gap.plusSeconds(1)).until(() -> true);
                // by key, as clients do, and straight at the published address
                try {
                    try (Socket s = client.connect(key)) {
                        s.setSoTimeout(5000);
                        Echo.roundTrip(s, 10_000, i);
                    }
                    try (Socket s = straightAt(endpoint, key)) {
                        s.setSoTimeout(5000);
                        Echo.roundTrip(s, 10_000, -i);
                    }
                } catch (IOException e) {
                    throw new AssertionError("connection " + (connections + 1) + ", " + Duration.ofNanos(System
                            .nanoTime() - start).toSeconds() + " s after the start, after a gap of " + gap, e);
                }
                connections += 2;
                assertThat(values(key)).as("announced after %d connections", connections).containsExactly(endpoint
                        .toString());
            }
            // it was re-probed all along, and stayed direct: nothing relayed, never published elsewhere
            assertThat(fwd.counters().probes() - probesBefore)
                    .isGreaterThanOrEqualTo(Math.max(1, SPAN.dividedBy(REPROBE) - 2));
            assertThat(fwd.counters().relaysOpened()).isZero();
            assertThat(fwd.load().servers()).isZero();
            assertThat(expose.more()).isEmpty();
            assertThat(expose.process.isAlive()).isTrue();
            System.out.println("expose --direct: " + connections + " connections over " + SPAN + ", " + (fwd
                    .counters().probes() - probesBefore) + " re-probes, all direct");
        }
    }

    @Test
    void aFloodThatUsesUpItsFileDescriptorsDoesNotStopDirectAccepting() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        assumeTrue(Files.isExecutable(prlimit), "no prlimit");
        try (ServerSocket service = CliProcesses.echoService()) {
            // 72 descriptors: the JVM needs about 20; each client takes one while its end-to-end handshake runs (at most
            // the backlog, 64, at once), and two once relayed
            List<String> cmd = List.of(prlimit.toString(), "--nofile=72:72", Path.of(System.getProperty(
                    "java.home"), "bin", "java").toString(), "-jar", System.getProperty("natgw.traversal.cli.jar"),
                    "expose", "--port", String.valueOf(service.getLocalPort()), "--identity", dir.resolve("id")
                            .toString(),
                    "--registry", face.uri().toString(), "--direct", "--direct-bind",
                    "127.0.0.1:0", "--token", Fixture.credential());
            CliProcesses.Running expose = cli.start(cmd, Map.of());
            expose.nextLine(Duration.ofSeconds(20));
            String published = expose.nextLine(Duration.ofSeconds(20));
            assertThat(published).startsWith("published at tcp://127.0.0.1:");
            Endpoint endpoint = Endpoint.parse(published.substring("published at ".length()));
            Path fds = Path.of("/proc", String.valueOf(expose.process.pid()), "fd");

            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 160; i++) {
                    Socket s = new Socket();
                    flood.add(s);
                    s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 2000);
                }
                // the process is out of descriptors: accept fails with EMFILE while the rest wait in the backlog
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    try (var list = Files.list(fds)) {
                        return list.count() >= 70;
                    }
                });
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
            // the flood gone, the listener takes clients again
            String key = Identity.load(dir.resolve("id")).key();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                try (Socket s = straightAt(endpoint, key)) {
                    s.setSoTimeout(3000);
                    Echo.roundTrip(s, 10_000, 7);
                }
            });
            assertThat(expose.process.isAlive()).isTrue();
        }
    }
}
