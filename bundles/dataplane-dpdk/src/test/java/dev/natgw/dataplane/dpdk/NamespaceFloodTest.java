package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.SourceRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * natgw's subscriber limits under real floods through its DPDK ports, in the namespaces of scripts/topology (issue
 * 16): an outside host floods the pool with 20,000 spoofed UDP packets a second for 20 s, and one inside host sends
 * SYNs to 50,000 destinations. The pool has the default limits. Needs root, DPDK and the topology's tools; skipped
 * otherwise. The floods come from src/test/resources/flood.py, paced and bounded in count and time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamespaceFloodTest {
    static final String NAME = "ngl";
    static final int GLOBAL = Ipv4Range.parse("198.19.0.1").first();
    static Path topology;
    static String flood;
    static Engine engine;
    static NatManager nat;

    @BeforeAll
    static void up() throws Exception {
        topology = Topologies.script();
        flood = Path.of(NamespaceFloodTest.class.getResource("/flood.py").toURI()).toString();
        Topologies.up(topology, NAME, true);
        // a second inside host on the same segment
        Sh.ok(10, "ip", "-n", NAME + "-in", "addr", "add", "198.18.0.3/24", "dev", NAME + "i1");
        engine = Topologies.engine(NAME, Map.of("mbufs", 8191));
        nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 17, 1024, Duration.ofSeconds(30), 1 << 16,
                OtherProtocolPolicy.DROP, false, 4096, new SourceRules(List.of(Ipv4Range.parse("198.18.0.0/24")),
                        true),
                NatSettings.DEFAULT_ICMP_ANSWERS, NatSettings.DEFAULT_UDP_UNANSWERED));
        // the recommended pool: the subscriber limits are the defaults
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
        assertThat(nat.pools().getFirst().limits()).isEqualTo(SubscriberLimits.DEFAULT);
        assertThat(engine.addStage(nat, "nat", 500, 1)).isTrue();
    }

    @AfterAll
    static void down() throws Exception {
        Topologies.down(topology, NAME, engine, nat);
    }

    static String inside(long timeoutSeconds, String... command) throws Exception {
        return Topologies.exec(NAME + "-in", timeoutSeconds, command);
    }

    static String curlFrom(String source) throws Exception {
        return inside(30, "curl", "-sS", "--max-time", "10", "--interface", source, "http://198.19.0.2/");
    }

    @Test
    @Order(1)
    void anOutsideSpoofFloodKeepsSessionsUnderThePerMappingBound() throws Exception {
        // the inside host sends one datagram to the outside host from port 5353: one mapping, one session
        inside(20, "python3", "-c", "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.bind(('198.18.0.2', 5353)); s.sendto(b'hello', ('198.19.0.2', 9))");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mappedPort(5353) > 0);
        int port = mappedPort(5353);
        Map<String, Long> before = new TreeMap<>(nat.counters().drops());
        long sessionsBefore = nat.sessionCount();
        // 20,000 a second for 20 s at the mapping: half from the contacted remote's address (which address-dependent
        // filtering lets in) from 40,000 ports, half from 4,096 forged addresses
        Process admitted = outsideFlood("udp", "198.19.0.2", "1", "40000", "198.19.0.1", String.valueOf(port),
                "10000", "20");
        Process forged = outsideFlood("udp", "198.19.64.0", "4096", "16", "198.19.0.1", String.valueOf(port),
                "10000", "20");
        double busiest = 0;
        String midFlood = null;
        long start = System.nanoTime();
        while (admitted.isAlive() || forged.isAlive()) {
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(40)) {
                admitted.destroyForcibly();
                forged.destroyForcibly();
                throw new AssertionError("the floods did not end in 40 s");
            }
            for (WorkerInfo w : engine.workers()) {
                busiest = Math.max(busiest, w.busyShare());
            }
            if (midFlood == null && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(10)) {
                // a new inside flow in the middle of the flood
                midFlood = curlFrom("198.18.0.2");
            }
            // wait for the floods to end, sampling the workers every half second meanwhile
            admitted.waitFor(250, TimeUnit.MILLISECONDS);
            forged.waitFor(250, TimeUnit.MILLISECONDS);
        }
        String report = new String(admitted.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim() + "; "
                + new String(forged.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        long sessions = nat.sessionCount();
        Map<String, Long> grew = grown(before, nat.counters().drops());
        System.out.printf("natgw flood: %s; sessions %d -> %d; drops %s; busiest worker %.0f %%%n", report,
                sessionsBefore, sessions, grew, 100 * busiest);
        assertThat(midFlood).as("a new inside flow during the flood").contains("198.19.0.1");
        long onMapping = nat.sessions(SessionFilter.ALL, 100_000).stream()
                .filter(s -> s.inside().port() == 5353).count();
        assertThat(onMapping).as("sessions on the flooded mapping").isPositive()
                .isLessThanOrEqualTo(SubscriberLimits.DEFAULT_INBOUND_SESSIONS_PER_MAPPING);
        assertThat(sessions).isLessThan(SubscriberLimits.DEFAULT_INBOUND_SESSIONS_PER_MAPPING + 50L);
        assertThat(grew.getOrDefault("inbound-limit", 0L)).as("refused by the per-mapping bound").isPositive();
        assertThat(grew.getOrDefault("filtered", 0L)).as("forged sources filtered").isPositive();
        assertThat(curlFrom("198.18.0.3")).as("another inside host after the flood").contains("198.19.0.1");
    }

    @Test
    @Order(2)
    void oneHostOpeningFiftyThousandDestinationsHitsItsLimitAndAnotherStillConnects() throws Exception {
        Map<String, Long> before = new TreeMap<>(nat.counters().drops());
        long created = nat.counters().sessionsCreated();
        long start = System.nanoTime();
        // SYNs from 198.18.0.2, a source port each, to 198.19.1.0 .. 198.19.196.79
        String report = inside(120, "python3", flood, "syn", "198.18.0.2", "198.19.1.0", "50000", "80", "25000",
                "10").trim();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Long> grew = grown(before, nat.counters().drops());
        long hostA = nat.sessions(SessionFilter.ALL, 100_000).stream()
                .filter(s -> s.inside().address() == Ipv4Range.parse("198.18.0.2").first()).count();
        System.out.printf("natgw scan: %s in %.1f s; sessions created %d, host's sessions now %d; drops %s%n", report,
                seconds, nat.counters().sessionsCreated() - created, hostA, grew);
        long refused = grew.getOrDefault("mapping-rate", 0L) + grew.getOrDefault("session-limit", 0L)
                + grew.getOrDefault("quota", 0L);
        assertThat(refused).as("the scanning host met its limits").isPositive();
        assertThat(hostA).isLessThanOrEqualTo(SubscriberLimits.DEFAULT_SESSIONS_PER_HOST);
        assertThat(curlFrom("198.18.0.3")).as("another inside host connects").contains("198.19.0.1");
    }

    static int mappedPort(int insidePort) {
        for (SessionInfo s : nat.sessions(SessionFilter.ALL, 1000)) {
            if (s.inside().port() == insidePort) {
                return s.outside().port();
            }
        }
        return -1;
    }

    static Process outsideFlood(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NAME + "-out", "python3", flood));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static Map<String, Long> grown(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> grew = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                grew.put(k, d);
            }
        });
        return grew;
    }
}
