package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.SourceRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fragmented datagrams through natgw's DPDK ports (RFC 4787 REQ-14), in the namespaces of scripts/topology with an
 * outside MTU of 1,400 so natgw cuts what it sends to another size than it got. On net_af_packet the kernel
 * reassembles the fragments for natgw's socket, so natgw receives whole datagrams longer than the MTU, translates
 * them and sends them in fragments again. Real ping and real UDP sockets on both hosts; needs root, DPDK and the
 * topology's tools, skipped otherwise. Its own topology name, so it may run beside NamespaceGatewayTest's.
 */
class NamespaceFragmentsTest {
    static final String NAME = "ngf";
    static final String IN = NAME + "-in";
    static final String OUT = NAME + "-out";
    static final int GLOBAL = Ipv4Range.parse("198.19.0.1").first();
    static Path topology;
    static Engine engine;
    static NatManager nat;

    @BeforeAll
    static void up() throws Exception {
        topology = Topologies.script();
        Topologies.up(topology, NAME, false, "--outside-mtu", "1400");
        engine = Topologies.engine(NAME, Map.of("outside.mtu", 1400, "mbufs", 4095));
        Duration s2 = Duration.ofSeconds(2);
        nat = new NatManager(new NatSettings(new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), s2, s2,
                Duration.ofSeconds(6)), 1 << 16, 1024, Duration.ofSeconds(1), 1 << 16, OtherProtocolPolicy.DROP,
                false, 4096, new SourceRules(List.of(Ipv4Range.parse("198.18.0.0/24")), true),
                NatSettings.DEFAULT_ICMP_ANSWERS, NatSettings.DEFAULT_UDP_UNANSWERED));
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
        assertThat(engine.addStage(nat, "nat", 500, 1)).isTrue();
    }

    @AfterAll
    static void down() throws Exception {
        Topologies.down(topology, NAME, engine, nat);
    }

    static String in(String ns, long timeoutSeconds, String... command) throws Exception {
        return Topologies.exec(ns, timeoutSeconds, command);
    }

    @Test
    void aThreeThousandBytePingPassesBothWays() throws Exception {
        long cut = engine.counters().get("fragmented");
        String out = in(IN, 30, "ping", "-c", "3", "-i", "0.3", "-W", "3", "-M", "dont", "-s", "3000", "198.19.0.2");
        assertThat(out).contains(" 0% packet loss").contains("3008 bytes from 198.19.0.2");
        // each request cut to the outside MTU and each reply to the inside MTU: at least 6 datagrams cut
        assertThat(engine.counters().get("fragmented") - cut).isGreaterThanOrEqualTo(6);
        System.out.printf("natgw e2e: 3,000-byte ping through natgw: %s%n",
                out.lines().filter(l -> l.contains("packet loss")).findFirst().orElse(""));
    }

    @Test
    void aFragmentedFourThousandByteUdpDatagramPassesBothWays() throws Exception {
        String script = Path.of(NamespaceFragmentsTest.class.getResource("/udp-big.py").toURI()).toString();
        Path log = Files.createTempFile("ngf-udp", ".log");
        Process server = new ProcessBuilder("ip", "netns", "exec", OUT, "python3", script, "serve", "198.19.0.2",
                "7007", "30").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long cut = engine.counters().get("fragmented");
            String answer = "";
            // the server may take a moment to bind: a datagram sent before is lost, so try again, a bounded number
            for (int attempt = 0; attempt < 5 && !answer.contains("answer 4000 ok"); attempt++) {
                answer = Sh.run(10, "ip", "netns", "exec", IN, "python3", script, "send", "198.19.0.2", "7007",
                        "4000", "3").out();
            }
            assertThat(answer).contains("answer 4000 ok");
            String seen = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(seen).as("the server saw the whole datagram from natgw's global address")
                    .contains("got 4000 from 198.19.0.1:");
            assertThat(engine.counters().get("fragmented") - cut).isGreaterThanOrEqualTo(2);
            assertThat(engine.counters().get("drop-cannot-fragment")).isZero();
            System.out.printf("natgw e2e: 4,000-byte UDP datagram both ways: %s; counters %s%n", answer.strip(),
                    Map.of("fragmented", engine.counters().get("fragmented"), "fragments-made",
                            engine.counters().get("fragments-made")));
        } finally {
            server.destroy();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }
}
