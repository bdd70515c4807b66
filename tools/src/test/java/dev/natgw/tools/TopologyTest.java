package dev.natgw.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The namespace topology of {@code scripts/topology}, proven with real clients and real Linux forwarding before
 * natgw's dataplane uses it: the --linux-gw baseline carries HTTP with the global address, 5,000 concurrent
 * connections of TcpLoad hold, and full-size frames with correct checksums; the natgw layout leaves its two ports
 * silent in the root namespace. Needs root (skipped otherwise) and iproute2, ethtool, nftables, iperf3, python3, curl
 * and ping, which {@code ./natgw test} installs. Topology names h3j and h3k; each is taken down in a finally.
 */
class TopologyTest {

    private static final Path TOP = Path.of(System.getProperty("natgw.top", "..")).toAbsolutePath().normalize();
    private static final String TOPOLOGY = TOP.resolve("scripts/topology").toString();
    private static final String PKTCHECK = TOP.resolve("scripts/pktcheck").toString();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void rootOnly() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux") && Integer.valueOf(0).equals(Files.getAttribute(
                Path.of("/proc/self"), "unix:uid")), "needs root: network namespaces");
    }

    /** TcpLoad's classes, as this build compiled them. */
    private static String toolsClassPath() throws URISyntaxException {
        return Path.of(TcpLoad.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Runs a command to its end (at most {@code seconds}), its output in temporary files. */
    private static Result run(int seconds, String... command) throws Exception {
        File out = File.createTempFile("h3-out", ".txt");
        File err = File.createTempFile("h3-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
            builder.environment().put("NATGW_TOOLS_CP", toolsClassPath());
            Process process = builder.start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("timed out after " + seconds + " s: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
        } finally {
            out.delete();
            err.delete();
        }
    }

    private static Result ok(int seconds, String... command) throws Exception {
        Result r = run(seconds, command);
        assertThat(r.code()).as("%s%nstdout: %s%nstderr: %s", String.join(" ", command), r.out(), r.err())
                .isZero();
        return r;
    }

    private static List<String> in(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return full;
    }

    /**
     * Starts pktcheck on {@code dev} (in {@code ns} unless null), waits until it captures, runs {@code traffic}, and
     * returns its exit code and JSON line.
     */
    private static JsonNode capture(String ns, String dev, int seconds, int count, int expectedCode,
            String... traffic) throws Exception {
        List<String> command = new ArrayList<>();
        if (ns != null) {
            command.addAll(List.of("ip", "netns", "exec", ns));
        }
        command.addAll(List.of(PKTCHECK, "--dev", dev, "--seconds", Integer.toString(seconds), "--count", Integer
                .toString(count), "--proto", "tcp"));
        Process pktcheck = new ProcessBuilder(command).start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(pktcheck.getErrorStream(),
                StandardCharsets.UTF_8))) {
            assertThat(err.readLine()).isEqualTo("pktcheck: listening on " + dev);
            run(60, traffic);
            if (!pktcheck.waitFor(seconds + 10L, TimeUnit.SECONDS)) {
                pktcheck.destroyForcibly();
                fail("pktcheck did not stop");
            }
            String out = new String(pktcheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(pktcheck.exitValue()).as(out).isEqualTo(expectedCode);
            return JSON.readTree(out);
        }
    }

    @Test
    void linuxGatewayCarriesHttpFullSizeFramesAndFiveThousandConnections() throws Exception {
        String name = "h3j";
        run(30, TOPOLOGY, "down", name);
        try {
            ok(30, TOPOLOGY, "up", name, "--linux-gw");
            ok(60, TOPOLOGY, "serve", name);
            String status = ok(10, TOPOLOGY, "status", name).out();
            assertThat(status).contains("netns h3j-in present", "netns h3j-out present", "netns h3j-far present",
                    "netns h3j-gw present", "server http running", "server iperf3 running", "server echo running")
                    .contains("h3ji0 in h3j-gw: h3ji0@").contains("198.18.0.1/24").contains("198.19.0.1/25");

            // the outside server sees the NAT's global address
            Result http = ok(15, in("h3j-in", "curl", "-sS", "--max-time", "5", "http://198.19.0.2/").toArray(
                    String[]::new));
            assertThat(http.out().strip()).isEqualTo("198.19.0.1");

            // a packet from the gateway to the far host with TTL 1 at the upstream router: time exceeded from
            // 198.19.0.2; and from the inside host, the same error translated back through the masquerade
            Result fromGateway = run(10, in("h3j-gw", "ping", "-c", "1", "-W", "2", "-t", "1", "198.19.0.130")
                    .toArray(String[]::new));
            assertThat(fromGateway.out()).contains("From 198.19.0.2", "Time to live exceeded");
            Result fromInside = run(10, in("h3j-in", "ping", "-c", "1", "-W", "2", "-t", "2", "198.19.0.130")
                    .toArray(String[]::new));
            assertThat(fromInside.out()).contains("From 198.19.0.2", "Time to live exceeded");
            ok(10, in("h3j-in", "ping", "-c", "1", "-W", "2", "198.19.0.130").toArray(String[]::new));

            // what arrives on the gateway's inside port from the inside host: full-size frames, correct checksums
            String[] bulk = in("h3j-in", "iperf3", "-c", "198.19.0.2", "-n", "4M").toArray(String[]::new);
            JsonNode clean = capture("h3j-gw", "h3ji0", 8, 2000, 0, bulk);
            assertThat(clean.get("incoming").asInt()).isPositive();
            assertThat(clean.get("maxFrame").asInt()).isEqualTo(1514);
            assertThat(clean.get("bad").asInt()).isZero();

            // 5,000 concurrent connections through the masquerade: opened, checked, held, checked, closed
            Result hold = ok(240, in("h3j-in", JAVA, "-cp", toolsClassPath(), TcpLoad.class.getName(), "hold",
                    "--target", "198.19.0.2:9000", "--count", "5000", "--hold-seconds", "2", "--timeout-seconds",
                    "60").toArray(String[]::new));
            JsonNode held = JSON.readTree(hold.out());
            assertThat(held.get("opened").asInt()).isEqualTo(5000);
            assertThat(held.get("verified").asInt()).isEqualTo(5000);
            assertThat(held.get("closeErrors").asInt()).isZero();

            // the control: with the inside host's offloads back on, pktcheck sees partial checksums and GSO
            // super-packets, so the clean capture above is not a checker that sees nothing wrong
            ok(10, in("h3j-in", "ethtool", "-K", "h3ji1", "tx", "on", "tso", "on", "gso", "on").toArray(
                    String[]::new));
            JsonNode dirty = capture("h3j-gw", "h3ji0", 8, 2000, 1, bulk);
            assertThat(dirty.get("badL4Checksum").asInt() + dirty.get("oversize").asInt()).isPositive();
        } finally {
            run(60, TOPOLOGY, "down", name);
        }
        String after = ok(10, TOPOLOGY, "status", name).out();
        assertThat(after).contains("netns h3j-in absent", "netns h3j-gw absent", "link h3ji0 absent",
                "server echo not running");
    }

    @Test
    void natgwLayoutLeavesTheGatewayPortsSilentInTheRootNamespace() throws Exception {
        String name = "h3k";
        run(30, TOPOLOGY, "down", name);
        try {
            ok(30, TOPOLOGY, "up", name, "--outside-mtu", "1400");
            assertThat(run(10, "ip", "link", "show", "dev", "h3ki0").out()).contains("mtu 1500", "state UP");
            assertThat(run(10, "ip", "link", "show", "dev", "h3ko0").out()).contains("mtu 1400", "state UP");
            assertThat(run(10, in("h3k-out", "ip", "link", "show", "dev", "h3ko1").toArray(String[]::new)).out())
                    .contains("mtu 1400");
            assertThat(ok(10, "ip", "addr", "show", "dev", "h3ki0").out()).doesNotContain("inet");
            assertThat(Files.readString(Path.of("/proc/sys/net/ipv6/conf/h3ko0/disable_ipv6")).strip())
                    .isEqualTo("1");
            // offloads off on every veth end
            for (String[] end : new String[][]{{null, "h3ki0"}, {null, "h3ko0"}, {"h3k-in", "h3ki1"}, {"h3k-out",
                    "h3ko1"}, {"h3k-out", "h3kf0"}, {"h3k-far", "h3kf1"}}) {
                String features = end[0] == null
                        ? ok(10, "ethtool", "-k", end[1]).out()
                        : ok(10, in(end[0], "ethtool", "-k", end[1]).toArray(String[]::new)).out();
                assertThat(features).as(end[1]).contains("rx-checksumming: off", "tx-checksumming: off",
                        "tcp-segmentation-offload: off", "generic-segmentation-offload: off",
                        "generic-receive-offload: off");
            }
            // the upstream router reaches the far host, and an expiring TTL comes back from 198.19.0.2
            ok(10, in("h3k-far", "ping", "-c", "1", "-W", "2", "198.19.0.2").toArray(String[]::new));
            Result ttl = run(10, in("h3k-far", "ping", "-c", "1", "-W", "2", "-t", "1", "198.19.0.1").toArray(
                    String[]::new));
            assertThat(ttl.out()).contains("From 198.19.0.129", "Time to live exceeded");

            // Nothing answers for 198.18.0.1 until natgw does; point the inside host at h3ki0 by hand. Its SYNs
            // arrive with correct checksums, and the root kernel sends nothing back (no RST, no ICMP).
            String mac = Files.readString(Path.of("/sys/class/net/h3ki0/address")).strip();
            ok(10, in("h3k-in", "ip", "neigh", "replace", "198.18.0.1", "lladdr", mac, "dev", "h3ki1", "nud",
                    "permanent").toArray(String[]::new));
            JsonNode syns = capture(null, "h3ki0", 4, 3, 0, in("h3k-in", "curl", "-s", "--max-time", "3",
                    "http://198.19.0.2/").toArray(String[]::new));
            assertThat(syns.get("incoming").asInt()).isPositive();
            assertThat(syns.get("outgoing").asInt()).isZero();
            assertThat(syns.get("bad").asInt()).isZero();
        } finally {
            run(60, TOPOLOGY, "down", name);
        }
        assertThat(run(10, "ip", "link", "show", "dev", "h3ki0").code()).isNotZero();
        assertThat(Files.exists(Path.of("/run/netns/h3k-in"))).isFalse();
    }
}
