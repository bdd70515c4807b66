package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.nat.export.EventExporter;
import dev.natgw.nat.export.ExportSettings;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NAT events exported over IPFIX to a real collector: Debian's {@code nfcapd} (nfdump) listens on loopback, the
 * translator makes, refuses and expires mappings for real packets, and {@code nfdump} decodes what arrived; each
 * record must carry the inside endpoint, the outside endpoint the packet really left with, and the RFC 8158 event.
 * Skipped, saying why, where nfdump is not installed ({@code apt-get install nfdump}; {@code ./natgw test} installs
 * it).
 */
class NatEventExportTest extends NatHarness {
    @TempDir
    Path dir;

    @Override
    int workers() {
        return 1;
    }

    @Test
    void nfdumpDecodesEveryEventNatgwExported() throws Exception {
        Assumptions.assumeTrue(onPath("nfcapd") && onPath("nfdump"),
                "nfcapd and nfdump are not installed (Debian package nfdump): no real IPFIX collector to test with");
        int port = freeUdpPort();
        Path flows = Files.createDirectories(dir.resolve("flows"));
        Path log = dir.resolve("nfcapd.log");
        Process nfcapd = new ProcessBuilder("nfcapd", "-b", "127.0.0.1", "-p", Integer.toString(port), "-w",
                flows.toString(), "-t", "3600").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        EventExporter exporter = null;
        // expected records, by inside endpoint: event, post-NAT address, post-NAT port
        Map<String, List<String>> expected = new HashMap<>();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("Startup"));
            exporter = new EventExporter(new ExportSettings(List.of(new InetSocketAddress("127.0.0.1", port)), false,
                    7, 60, 1400, List.of(), 16, "natgw-test", 4096), System::currentTimeMillis);

            // 8 ports; host A may hold 3 of them
            start(new PoolDefinition("tiny", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 1025, 1032,
                    MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT, true, 3, false));
            nat.addEventSink(exporter);
            int[][] flowsSent = {{INSIDE_A, 4000}, {INSIDE_A, 4001}, {INSIDE_A, 4002}, {INSIDE_B, 4000},
                    {INSIDE_B, 4001}, {INSIDE_B, 4002}, {ip("198.18.0.4"), 4000}, {ip("198.18.0.4"), 4001}};
            for (int[] f : flowsSent) {
                FrameView out = through(Frames.udp(f[0], f[1], REMOTE, 53).build(), true, false);
                String key = Ipv4.format(f[0]) + ":" + f[1];
                expected.computeIfAbsent(key, k -> new ArrayList<>()).add("1 " + Ipv4.format(out.src()) + ":"
                        + out.srcPort());
                expected.get(key).add("2 " + Ipv4.format(out.src()) + ":" + out.srcPort());
            }
            dropped(Frames.udp(INSIDE_A, 4003, REMOTE, 53).build(), true); // quota: A holds 3
            expected.put(Ipv4.format(INSIDE_A) + ":4003", new ArrayList<>(List.of("11")));
            dropped(Frames.udp(ip("198.18.0.5"), 4000, REMOTE, 53).build(), true); // all 8 ports taken
            expected.put("198.18.0.5:4000", new ArrayList<>(List.of("3")));
            dp.advance(Duration.ofSeconds(31)); // every mapping expires
            nat.flushEvents();
            EventExporter e = exporter;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> e.stats().exported() == 18 && e.stats().collectors().get(0).records() == 18);
            assertThat(e.stats().queueFull()).isZero();
            assertThat(e.stats().collectors().get(0).lost()).isZero();
        } finally {
            nfcapd.destroy(); // SIGTERM: nfcapd writes its file and exits
            assertThat(nfcapd.waitFor(10, TimeUnit.SECONDS)).as("nfcapd exits").isTrue();
            if (exporter != null) {
                exporter.close();
            }
        }
        Process dump = new ProcessBuilder("nfdump", "-q", "-R", flows.toString(), "-o", "raw")
                .redirectErrorStream(true).start();
        String raw = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dump.waitFor(10, TimeUnit.SECONDS)).isTrue();

        Map<String, List<String>> decoded = new HashMap<>();
        for (String record : raw.split("Flow Record:")) {
            Map<String, String> f = fields(record);
            if (!f.containsKey("nat event")) {
                continue;
            }
            String event = f.get("nat event").split(":")[0].trim();
            String key = f.get("src addr") + ":" + f.get("src port");
            String value = event.equals("1") || event.equals("2")
                    ? event + " " + f.get("src xlt ip") + ":" + f.get("src xlt port")
                    : event;
            decoded.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            assertThat(f.get("proto")).as(record).startsWith("17");
        }
        assertThat(decoded).as("nfdump output:\n%s\nnfcapd log:\n%s", raw, Files.readString(log))
                .isEqualTo(expected);
    }

    /** The "name = value" lines of one record of nfdump's raw output. */
    private static Map<String, String> fields(String record) {
        Map<String, String> f = new HashMap<>();
        for (String line : record.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return f;
    }

    static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
