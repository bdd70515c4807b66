package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * An update of natgw-api under traffic, in the real distribution driven from outside with {@code bin/client}: it
 * cannot run inside Pax Exam, whose test probe imports the api and would be refreshed with it. {@code bundle:update}
 * and {@code bundle:refresh} of dev.natgw.api restart every natgw bundle wired to it (core, nat, dataplane,
 * forwarder, registry, console) but not dev.natgw.state, which imports nothing from natgw: the NAT's deposit must
 * survive in the keeper and be claimed by the new translator. Measured and printed: the pause and pings lost of a
 * stream of 2000 pings 10 ms apart, NAT sessions before and after. Needs root and the namespace topology "nga"; skipped otherwise.
 */
public class ApiUpdateIT {
    static final String NAME = "nga";
    static final String PASSWORD = "itest-api-update";
    static final int INTERVAL_MS = 10;
    /**
     * Pings in the stream: 20 s at 10 ms, long enough to span the update from {@code bin/client} (a JVM start and an
     * ssh login, about 2 s) to every natgw bundle being back.
     */
    static final int STREAM = 2000;

    private final ObjectMapper json = new ObjectMapper();
    private Distribution natgw;

    private String client(String command) throws Exception {
        Distribution.Result r = natgw.client("admin", PASSWORD, command);
        if (r.exit() != 0) {
            throw new AssertionError(command + ": exit " + r.exit() + "\n" + r.output());
        }
        return r.output();
    }

    private JsonNode clientJson(String command) throws Exception {
        String out = client(command);
        return json.readTree(out.substring(out.indexOf('{')));
    }

    /** {@return the JSON documents that the commands, separated by ';', printed in one bin/client session} */
    private List<JsonNode> clientJsons(String commands) throws Exception {
        String out = client(commands);
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = json.readerFor(JsonNode.class)
                .readValues(out.substring(out.indexOf('{')))) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }

    private static long portsInUse(JsonNode ports) {
        long n = 0;
        for (JsonNode u : ports.get("usage")) {
            n += u.get("portsInUse").asLong();
        }
        return n;
    }

    private long sessions() throws Exception {
        return clientJson("nat:stats --json").get("sessions").asLong();
    }

    private long portsInUse() throws Exception {
        return portsInUse(clientJson("nat:ports --json default"));
    }

    /** {@return whether the dataplane runs both topology ports with a nat stage and every natgw bundle is ACTIVE} */
    private boolean ready() throws Exception {
        List<JsonNode> docs = clientJsons("dp:ports --json; natgw:status --json");
        return ready(docs.get(0)) && notActive(docs.get(1)).isEmpty();
    }

    private static boolean ready(JsonNode dp) {
        return dp.get("ports").size() == 2 && dp.get("ports").get(0).get("device").asText().contains(NAME + "i0")
                && dp.get("stages").toString().contains("\"nat\"");
    }

    /** {@return the natgw bundles not ACTIVE, by natgw:status} */
    private static List<String> notActive(JsonNode status) {
        List<String> out = new ArrayList<>();
        JsonNode bundles = status.get("bundles");
        for (String sn : NatgwContainer.NATGW_BUNDLES) {
            boolean active = false;
            for (JsonNode b : bundles) {
                active |= b.get("symbolicName").asText().equals(sn) && b.get("active").asBoolean();
            }
            if (!active) {
                out.add(sn);
            }
        }
        return out;
    }

    private long bundleId(String sn) throws Exception {
        for (JsonNode b : clientJson("natgw:status --json").get("bundles")) {
            if (b.get("symbolicName").asText().equals(sn)) {
                return b.get("id").asLong();
            }
        }
        throw new AssertionError("no bundle " + sn);
    }

    private static String inside(String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", NAME + "-in"));
        c.addAll(List.of(command));
        return DataplaneIT.ok(20, c.toArray(String[]::new));
    }

    /** The stream's output goes to a file: 2000 lines would fill a pipe nobody reads until the end, and stop ping. */
    private static final Path PINGS = Path.of(System.getProperty("natgw.itests.work"), "apiupdate-pings.txt");

    private static Process pingStream() throws IOException {
        Files.createDirectories(PINGS.getParent());
        return new ProcessBuilder("ip", "netns", "exec", NAME + "-in", "ping", "-c", String.valueOf(STREAM), "-i",
                String.format("%.3f", INTERVAL_MS / 1000.0), "-W", "1", "-w", "90", "198.19.0.2")
                .redirectErrorStream(true).redirectOutput(PINGS.toFile()).start();
    }

    private void configure() throws IOException {
        Map<String, String> dp = new LinkedHashMap<>();
        dp.put("inside.device", "net_af_packet,iface=" + NAME + "i0");
        dp.put("outside.device", "net_af_packet,iface=" + NAME + "o0");
        dp.put("inside.address", "198.18.0.1/24");
        dp.put("outside.address", "198.19.0.1/25");
        dp.put("outside.gateway", "198.19.0.2");
        natgw.configure("dev.natgw.dataplane", dp);
        // no hold-down, so that ports return as their flows end; ICMP sessions idle out after 10 s, so that flows
        // end soon after their pings stop (the flows that must outlive the update keep pinging through it)
        natgw.configure("dev.natgw.nat", Map.of("timeout.icmp", "10", "port.hold.down", "0"));
        // ports of its own, so that another natgw on this machine does not collide with this one
        natgw.configure("org.ops4j.pax.web", Map.of("org.osgi.service.http.port", NatgwContainer.freePort()));
        natgw.configure("dev.natgw.console", Map.of("port", NatgwContainer.freePort()));
        natgw.configure("dev.natgw.forwarder", Map.of("listen.port", NatgwContainer.freePort()));
    }

    @Test
    public void apiUpdateUnderTrafficLeavesTheStateKeeperAndItsDepositAlone() throws Exception {
        assumeTrue("needs root", DataplaneIT.ok(10, "id", "-u").trim().equals("0"));
        assumeTrue("no topology script", Files.isExecutable(Path.of(DataplaneIT.topology())));
        DataplaneIT.run(60, DataplaneIT.topology(), "down", NAME);
        try {
            DataplaneIT.ok(60, DataplaneIT.topology(), "up", NAME);
            natgw = Distribution.unpack("apiupdate");
            configure();
            Distribution.Result start = natgw.exec(Map.of("NATGW_ADMIN_PASSWORD", PASSWORD), Duration.ofSeconds(60),
                    "bin/start");
            assertEquals(start.output(), 0, start.exit());
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(this::ready);
            client("log:set INFO dev.natgw");
            run();
        } finally {
            try {
                if (natgw != null) {
                    natgw.close();
                }
            } finally {
                DataplaneIT.run(60, DataplaneIT.topology(), "down", NAME);
            }
        }
    }

    private void run() throws Exception {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> inside("ping", "-c", "1", "-W", "1", "198.19.0.2").contains(" 0% packet loss"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> sessions() == 0 && portsInUse() == 0);
        long portsIdle = portsInUse();
        // five flows of their own (each ping run is an ICMP id of its own) plus the stream; each keeps its session
        // alive until the update is over, however long the commands around it take on a loaded machine (one-ping
        // flows idled out before the update on a machine beside stress-ng)
        List<Process> flows = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                flows.add(BundleUpdateIT.keepAlive(NAME));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> sessions() >= 5);
            update(portsIdle, flows);
        } finally {
            stop(flows);
        }
    }

    private static void stop(List<Process> flows) throws InterruptedException {
        for (Process f : flows) {
            f.destroy();
        }
        for (Process f : flows) {
            if (!f.waitFor(10, TimeUnit.SECONDS)) {
                f.destroyForcibly();
            }
        }
    }

    private void update(long portsIdle, List<Process> flows) throws Exception {
        long api = bundleId("dev.natgw.api");
        long state = bundleId("dev.natgw.state");
        String jar = Path.of(System.getProperty("natgw.api.jar")).toUri().toString();
        Process stream = pingStream();
        // one shell session: the figures before, then the update and the refresh, as a user would type them
        long t0 = System.nanoTime();
        List<JsonNode> before = clientJsons("nat:stats --json; nat:ports --json default; bundle:update " + api + " "
                + jar + "; bundle:refresh " + api);
        long commands = System.nanoTime();
        long sessionsBefore = before.get(0).get("sessions").asLong();
        long portsBefore = portsInUse(before.get(1));
        assertTrue("the five flows and the stream before the update: " + before, sessionsBefore >= 6);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(this::ready);
        long back = System.nanoTime();
        long sessionsAfter = sessions();
        long portsAfter = portsInUse();
        String stats = client("nat:stats --no-format");
        String handOver = stats.lines().filter(l -> l.startsWith("Last hand-over:")).findFirst().orElse("(none)");
        String stateText = client("natgw:state --no-format");
        JsonNode st = clientJson("natgw:state --json");
        // the update is over: the five flows end
        stop(flows);
        // unanswered pings slow ping down: its -w deadline bounds the stream
        assertTrue("the ping stream ends", stream.waitFor(120, TimeUnit.SECONDS));
        BundleUpdateIT.Pings p = BundleUpdateIT.Pings.parse(Files.readString(PINGS));

        // traffic flows again through the new revisions
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> inside("ping", "-c", "1", "-W", "1", "198.19.0.2").contains(" 0% packet loss"));
        // the flows end; every port they held comes back
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> sessions() == 0);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> portsInUse() == portsIdle);
        long portsEnd = portsInUse();

        System.out.printf("natgw api-update: pause %d ms, lost %d of %d, sessions before/after %d/%d, ports in use"
                + " before/after %d/%d (idle %d, after the flows ended %d); bin/client with bundle:update + bundle:refresh"
                + " %d ms, every natgw bundle ACTIVE with a nat stage (polled over bin/client) after %d ms%n",
                p.longestGap() * INTERVAL_MS, p.sent() - p.received(), p.sent(), sessionsBefore, sessionsAfter,
                portsBefore, portsAfter,
                portsIdle,
                portsEnd, (commands - t0) / 1_000_000, (back - t0) / 1_000_000);
        System.out.println("natgw api-update: nat:stats " + handOver);
        System.out.println("natgw api-update: natgw:state\n" + stateText);

        assertEquals("the state bundle keeps its id", state, bundleId("dev.natgw.state"));
        assertEquals("no port leaked by the api update", portsIdle, portsEnd);
        assertEquals("the keeper holds nothing afterwards: " + st, 0, st.get("deposits").size());
        // the keeper outlived the refresh: it holds the history of the deposit the stopping NAT left and the next
        // revision claimed (a refreshed keeper would have freed it, and would have no history)
        JsonNode last = BundleUpdateIT.lastOf(st, "nat");
        assertEquals(st.toString(), "claimed", last.get("outcome").asText());
        // the dataplane restarted too, and took its started ports over
        assertEquals(st.toString(), "claimed", BundleUpdateIT.lastOf(st, "dataplane").get("outcome").asText());
        // Sessions kept: the new translator must adopt the deposit. It can only read the deposit's descriptor if its
        // values are JDK types: a descriptor carrying natgw-api types (pool definitions, static mappings) of the
        // refreshed api revision is refused ("descriptor unreadable") and the NAT starts clean.
        assertTrue("the new translator adopted the deposit: " + handOver, handOver.contains("adopted"));
        assertEquals("sessions kept by the api update", sessionsBefore, sessionsAfter);
    }
}
