package dev.natgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.forwarder.ForwarderAdminService;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.state.StateKeeper;
import dev.natgw.api.status.StatusService;
import dev.natgw.itests.SessionSamples.Flow;
import dev.natgw.itests.SessionSamples.Sample;
import dev.natgw.itests.SessionSamples.Verdict;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.awaitility.Awaitility;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleRevisions;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Hot deploy under traffic: with hosts in the namespace topology "ngu" pinging through natgw, each natgw
 * bundle is replaced with natgw:update (console, registry, forwarder from their own location, which makes a new
 * revision of the same jar; nat and dataplane from their jar files; the core, which runs natgw:update, with
 * bundle:update), and the pings lost, the longest pause, NAT
 * sessions and ports in use are measured and printed. A traversal server behind the forwarder must be reachable by
 * key again after the forwarder's update, and a relay open across it must end with a FIN. Every update keeps the NAT's
 * sessions (each one whose idle timeout had not run out by its end, and always a flow that pings all through it:
 * {@link SessionSamples}) and leaves nothing in the state keeper. Then 20 updates of the nat bundle in a row, and 20 of the dataplane
 * bundle, must leak no class loader, thread, file descriptor or memory. Needs root; skipped otherwise.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundleUpdateIT {
    static final String NAME = "ngu";
    /** ms between the pings of a stream. */
    static final int INTERVAL_MS = 10;
    static final int STREAM = 300;
    static final int REPEATS = 20;
    /** ms a listener holds each STOPPED event of registry-http, as a loaded machine delays them. */
    static final long SLOW_LISTENER_MS = 300;

    @Inject
    BundleContext context;

    @Inject
    SessionFactory sessions;

    @Inject
    ConfigurationAdmin configAdmin;

    private final ObjectMapper json = new ObjectMapper();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return new Option[]{composite(NatgwContainer.distribution()),
                bundle("file:" + System.getProperty("natgw.traversal.jar"))};
    }

    private <T> T service(Class<T> type) {
        ServiceReference<T> ref = context.getServiceReference(type);
        return ref == null ? null : context.getService(ref);
    }

    /** {@return the keeper's view: natgw:state --json} */
    private JsonNode state() {
        // after a core update the shell registers the new revision's commands a moment later
        return Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            String out = NatgwContainer.execute(sessions, "natgw:state --json");
            return json.readTree(out.substring(out.indexOf('{')));
        }, n -> n.has("deposits"));
    }

    private boolean ready() {
        Dataplane d = service(Dataplane.class);
        return d != null && d.ports().size() == 2 && d.ports().get(0).device().contains(NAME + "i0")
                && d.stages().contains("nat");
    }

    private long portsInUse() {
        NatService nat = service(NatService.class);
        return nat == null ? -1 : nat.poolUsage().stream().mapToLong(PoolUsage::portsInUse).sum();
    }

    private long sessionCount() {
        NatService nat = service(NatService.class);
        return nat == null ? -1 : nat.sessionCount();
    }

    private static String in(String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", NAME + "-in"));
        c.addAll(List.of(command));
        return DataplaneIT.ok(20, c.toArray(String[]::new));
    }

    private static Process pingStream() throws IOException {
        return new ProcessBuilder("ip", "netns", "exec", NAME + "-in", "ping", "-c", String.valueOf(STREAM), "-i",
                String.format("%.3f", INTERVAL_MS / 1000.0), "-W", "1", "198.19.0.2").redirectErrorStream(true).start();
    }

    /** Pings every 200 ms until stopped: a flow that never idles for long, however long an update takes. */
    private static Process keepAlive() throws IOException {
        return keepAlive(NAME);
    }

    /** A flow of its own (an ICMP id) from topology {@code name}'s inside host, pinging every 200 ms until stopped. */
    static Process keepAlive(String name) throws IOException {
        return new ProcessBuilder("ip", "netns", "exec", name + "-in", "ping", "-i", "0.2", "-W", "1", "198.19.0.2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** {@return the NAT's sessions now, once its workers answer} */
    private Sample sample() {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Sample.take(service(NatService.class)), s -> true);
    }

    /** {@return a flow of the NAT's sessions that is not among known, once there is one} */
    private Flow newFlow(Set<Flow> known) {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            for (Flow f : Sample.take(service(NatService.class)).byFlow().keySet()) {
                if (!known.contains(f)) {
                    return f;
                }
            }
            return null;
        }, f -> f != null);
    }

    /** What a ping stream saw: sent, received, and the longest run of missing replies, in pings. */
    record Pings(int sent, int received, int longestGap, String text) {
        static Pings of(Process p) throws Exception {
            assertTrue("the ping stream ends", p.waitFor(60, TimeUnit.SECONDS));
            return parse(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }

        /** Reads ping's output. */
        static Pings parse(String text) {
            Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(text);
            assertTrue(text, m.find());
            int sent = Integer.parseInt(m.group(1));
            int received = Integer.parseInt(m.group(2));
            Matcher seq = Pattern.compile("icmp_seq=(\\d+) ").matcher(text);
            int last = 0;
            int gap = 0;
            while (seq.find()) {
                int s = Integer.parseInt(seq.group(1));
                gap = Math.max(gap, s - last - 1);
                last = s;
            }
            gap = Math.max(gap, sent - last);
            return new Pings(sent, received, gap, text);
        }
    }

    private JsonNode update(String symbolicName, String url) throws Exception {
        if (symbolicName.equals("dev.natgw.core")) {
            return updateCore(url);
        }
        String out = NatgwContainer.execute(sessions, "natgw:update --json " + symbolicName + (url == null
                ? ""
                : " " + url));
        return json.readTree(out.substring(out.indexOf('{')));
    }

    private long dataplaneDrops() {
        Dataplane dp = service(Dataplane.class);
        return dp == null
                ? 0
                : dp.counters().entrySet().stream().filter(e -> e.getKey().startsWith("drop-"))
                        .mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * natgw:update runs in the core bundle and will not replace it: the core is updated as docs/manual/hot-deploy.md tells a user,
     * with bundle:update, and the same figures as natgw:update's are taken here.
     */
    private JsonNode updateCore(String url) throws Exception {
        Bundle core = NatgwContainer.bundle(context, "dev.natgw.core");
        String oldRevision = core.adapt(BundleRevision.class).toString();
        long sessionsBefore = sessionCount();
        long dropsBefore = dataplaneDrops();
        long t0 = System.nanoTime();
        NatgwContainer.execute(sessions, "bundle:update " + core.getBundleId() + " " + url);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> core.getState() == Bundle.ACTIVE);
        long active = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> service(StateKeeper.class) != null && service(StatusService.class) != null);
        long back = System.nanoTime();
        ObjectNode r = json.createObjectNode();
        r.put("symbolicName", core.getSymbolicName());
        r.put("oldRevision", oldRevision);
        r.put("newRevision", core.adapt(BundleRevision.class).toString());
        r.put("millisToActive", (active - t0) / 1_000_000);
        r.put("millisToServices", (back - t0) / 1_000_000);
        r.put("sessionsBefore", sessionsBefore);
        r.put("sessionsAfter", sessionCount());
        r.put("droppedTotal", dataplaneDrops() - dropsBefore);
        r.put("dropped", "(dp:stats drop-* counters, summed)");
        return r;
    }

    private void configure() throws Exception {
        // short ICMP timeouts and no hold-down, so that flows end within the test and ports return at once
        Configuration n = configAdmin.getConfiguration("dev.natgw.nat", null);
        Dictionary<String, Object> nat = n.getProperties() == null ? new Hashtable<>() : n.getProperties();
        nat.put("timeout.icmp", 10);
        nat.put("port.hold.down", 0);
        n.update(nat);
        // the hold-down is read when the dataplane attaches the translator: configure it before the ports start
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> service(NatService.class).timeouts().icmp().equals(Duration.ofSeconds(10)));
        DataplaneIT.configureDataplane(configAdmin, NAME);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> in("ping", "-c", "1", "-W", "1", "198.19.0.2").contains(" 0% packet loss"));
        // the shell registers natgw:update once core's command services are there
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> NatgwContainer.execute(sessions, "natgw:status --json").contains("dev.natgw.nat"));
    }

    private static Map<String, String> updateSources() {
        Map<String, String> jars = new LinkedHashMap<>();
        // null: natgw:update re-reads the bundle's location, the same jar as a new revision
        jars.put("dev.natgw.console", null);
        jars.put("dev.natgw.registry.http", null);
        jars.put("dev.natgw.registry", null);
        jars.put("dev.natgw.forwarder", null);
        jars.put("dev.natgw.core", "file:" + System.getProperty("natgw.core.jar"));
        jars.put("dev.natgw.nat", "file:" + System.getProperty("natgw.nat.jar"));
        jars.put("dev.natgw.dataplane.dpdk", "file:" + System.getProperty("natgw.dataplane.jar"));
        return jars;
    }

    @Test
    public void everyBundleUpdatesUnderTrafficAndRepeatedUpdatesLeakNothing() throws Exception {
        assumeTrue("needs root", DataplaneIT.ok(10, "id", "-u").trim().equals("0"));
        assumeTrue("no topology script", Files.isExecutable(Path.of(DataplaneIT.topology())));
        DataplaneIT.run(60, DataplaneIT.topology(), "down", NAME);
        try {
            DataplaneIT.ok(60, DataplaneIT.topology(), "up", NAME);
            configure();
            // natgw's own INFO lines (stage succession, hand-over) in the container's data/log/karaf.log
            NatgwContainer.execute(sessions, "log:set INFO dev.natgw");
            assertNotNull("the state keeper is up", service(StateKeeper.class));
            ForwarderCheck fwd = new ForwarderCheck();
            try {
                for (Map.Entry<String, String> e : updateSources().entrySet()) {
                    String sn = e.getKey();
                    if (sn.equals("dev.natgw.forwarder")) {
                        fwd.beforeUpdate();
                    }
                    updateUnderTraffic(sn, e.getValue());
                    if (sn.equals("dev.natgw.forwarder")) {
                        fwd.afterUpdate();
                    }
                }
            } finally {
                fwd.close();
            }
            repeatedUpdatesLeakNothing("dev.natgw.nat", "natgw.nat.jar");
            repeatedUpdatesLeakNothing("dev.natgw.dataplane.dpdk", "natgw.dataplane.jar");
        } finally {
            DataplaneIT.run(60, DataplaneIT.topology(), "down", NAME);
        }
    }

    /**
     * The registry's HTTP face answers as soon as natgw:update of registry-http or of the registry returns, even while
     * the framework's asynchronous bundle events run late, as on a loaded machine (here: a listener that takes
     * {@value #SLOW_LISTENER_MS} ms over each STOPPED event of registry-http). When the face was an HTTP Whiteboard
     * servlet, Pax Web registered it asynchronously and tracked registry-http's web container through that late STOPPED
     * event: the new servlet was dropped (404 without JSON), or the old one, bound to the closed registry, stayed in
     * Jetty and the new one waited behind it ("was never registered by dev.natgw.registry.http", then "awaiting
     * registration"), for the rest of the run.
     */
    @Test
    public void theRegistryFaceAnswersAsSoonAsItsUpdateReturns() throws Exception {
        URI lookup = URI.create(registryFace() + "/lookup?key=natgw/forwarders");
        // the first natgw command waits until the shell has registered the core's commands
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> NatgwContainer.execute(sessions, "natgw:status --json").contains("dev.natgw.registry"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> get(lookup).startsWith("200 {"));
        BundleListener slow = e -> {
            if (e.getType() == BundleEvent.STOPPED && "dev.natgw.registry.http".equals(e.getBundle()
                    .getSymbolicName())) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SLOW_LISTENER_MS));
            }
        };
        context.addBundleListener(slow);
        try {
            for (int i = 0; i < 3; i++) {
                for (String sn : List.of("dev.natgw.registry.http", "dev.natgw.registry")) {
                    update(sn, null);
                    // no wait: ACTIVE with its services is the face's readiness
                    String answer = get(lookup);
                    assertTrue("after update " + (i + 1) + " of " + sn + ": " + answer, answer.startsWith("200 {"));
                }
            }
        } finally {
            context.removeBundleListener(slow);
        }
    }

    private URI registryFace() throws IOException {
        Object port = configAdmin.getConfiguration("org.ops4j.pax.web", null).getProperties()
                .get("org.osgi.service.http.port");
        return URI.create("http://127.0.0.1:" + port + "/natgw/registry/v1");
    }

    /** {@return the status and the body of a GET} */
    private static String get(URI uri) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return c.getResponseCode() + " " + body;
        } finally {
            c.disconnect();
        }
    }

    private void updateUnderTraffic(String sn, String url) throws Exception {
        // the previous step's flows have ended and their ports are back
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sessionCount() == 0 && portsInUse() == 0);
        long portsIdle = portsInUse();
        // five one-ping flows (each ping run is an ICMP id of its own): kept while their idle timeout has not run out
        for (int i = 0; i < 5; i++) {
            // on a loaded machine a single echo may miss its second: each flow retries until it got through
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> in("ping", "-c", "1", "-W", "2", "198.19.0.2").contains(" 0% packet loss"));
        }
        // then a flow kept alive all through the update, so that one session is required however long it takes, and
        // the stream that measures the pause
        Set<Flow> known = new HashSet<>(sample().byFlow().keySet());
        Process keeper = keepAlive();
        Process stream;
        Flow kept;
        long portsBefore;
        Sample before;
        JsonNode r;
        long portsAfter;
        Sample after;
        try {
            kept = newFlow(known);
            known.add(kept);
            stream = pingStream();
            newFlow(known);
            portsBefore = portsInUse();
            // during a nat update, stage succession keeps a "nat" stage in the dataplane's pipeline all along
            Dataplane dp = service(Dataplane.class);
            AtomicBoolean updating = new AtomicBoolean(true);
            AtomicInteger samples = new AtomicInteger();
            AtomicInteger withoutNat = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (updating.get() && sn.equals("dev.natgw.nat")) {
                    samples.incrementAndGet();
                    if (!dp.stages().contains("nat")) {
                        withoutNat.incrementAndGet();
                    }
                    LockSupport.parkNanos(200_000);
                }
            });
            before = Sample.take(service(NatService.class));
            try {
                r = update(sn, url);
            } finally {
                updating.set(false);
                sampler.join(5000);
            }
            if (sn.equals("dev.natgw.nat")) {
                System.out.printf("natgw hot-deploy: during the nat update the pipeline lacked a nat stage in %d of"
                        + " %d samples%n", withoutNat.get(), samples.get());
                assertEquals("samples of the pipeline without a nat stage", 0, withoutNat.get());
            }
            portsAfter = portsInUse();
            // the NAT answers for its sessions once the dataplane runs its stage again
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
            after = sample();
        } finally {
            keeper.destroy();
            if (!keeper.waitFor(10, TimeUnit.SECONDS)) {
                keeper.destroyForcibly();
            }
        }
        Verdict sessionsKept = SessionSamples.judge(before, after, service(NatService.class).timeouts().icmp(), kept);
        System.out.printf("natgw hot-deploy: %s: sessions: %s%n", sn, sessionsKept.summary());
        if (traffic(sn)) {
            System.out.printf("natgw hot-deploy: %s: NAT hand-over: %s%n", sn, service(NatService.class)
                    .lastHandOver());
        }
        Pings p = Pings.of(stream);
        long sessionsBefore = r.get("sessionsBefore").asLong(-1);
        long sessionsAfter = r.get("sessionsAfter").asLong(-1);
        // the flows end; every port they held comes back
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sessionCount() == 0);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> portsInUse() == portsIdle);
        long portsEnd = portsInUse();
        System.out.printf("natgw hot-deploy: %s pause %d ms, lost %d of %d, sessions before/after %d/%d, ports in use"
                + " before/after %d/%d (idle %d, after the flows ended %d); revision %s -> %s, ACTIVE after %d ms,"
                + " services after %d ms, dataplane drops %d %s%n", sn, p.longestGap() * INTERVAL_MS,
                p.sent() - p.received(), p.sent(), sessionsBefore, sessionsAfter, portsBefore, portsAfter, portsIdle,
                portsEnd, r.get("oldRevision").asText(), r.get("newRevision").asText(),
                r.get("millisToActive").asLong(), r.get("millisToServices").asLong(), r.get("droppedTotal").asLong(),
                r.get("dropped"));
        assertTrue(r.toString(), !r.get("oldRevision").asText().equals(r.get("newRevision").asText()));
        assertEquals(sn, r.get("symbolicName").asText());
        assertEquals("no port leaked by the update of " + sn, portsIdle, portsEnd);
        boolean traffic = traffic(sn);
        if (!traffic) {
            // the packet path is not touched: the dataplane drops nothing. A single reply has been seen missing
            // under load with no drop counted anywhere (the host's AF_PACKET rings, outside natgw's view), so one
            // lost ping is tolerated and printed above; more is a failure.
            assertEquals(r.toString(), 0, r.get("droppedTotal").asLong());
            assertTrue(p.text(), p.sent() - p.received() <= 1);
        }
        assertTrue("sessions lost by the update of " + sn + ": " + sessionsKept.lost() + "; "
                + sessionsKept.summary(), sessionsKept.lost().isEmpty());
        // stage succession (nat) and stages attached before the new workers run (dataplane): no packet ever meets a
        // pipeline without its stages
        assertEquals(r.toString(), 0, r.get("dropped").path("drop-no-stage").asLong());
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
        // the next revision claimed what the old one deposited: the keeper holds nothing, so no memory is left behind
        JsonNode st = state();
        assertEquals(st.toString(), 0, st.get("deposits").size());
        if (sn.equals("dev.natgw.dataplane.dpdk")) {
            // the new dataplane took the started ports over instead of closing and reopening them
            assertEquals(st.toString(), "claimed", lastOf(st, "dataplane").get("outcome").asText());
            assertEquals("ports taken over by the new dataplane", 2L,
                    (long) service(Dataplane.class).counters().get("ports-taken-over"));
        }
        if (traffic) {
            JsonNode last = lastOf(st, "nat");
            assertEquals(st.toString(), "claimed", last.get("outcome").asText());
            assertTrue(st.toString(), st.get("natHandOver").asText().startsWith("adopted "));
            System.out.printf("natgw hot-deploy: %s: natgw:state: the keeper held the NAT's %d bytes for %d ms;"
                    + " it holds nothing now%n", sn, last.get("bytes").asLong(), last.get("heldMillis").asLong());
        }
    }

    /**
     * The newest hand-over of one owner in natgw:state's history.
     *
     * @param st natgw:state --json
     * @param owner the owner
     * @return the record; fails the test if there is none
     */
    static JsonNode lastOf(JsonNode st, String owner) {
        for (JsonNode h : st.get("history")) {
            if (owner.equals(h.get("owner").asText())) {
                return h;
            }
        }
        throw new AssertionError("no hand-over of " + owner + " in " + st);
    }

    /** {@return whether updating this bundle interrupts the packet path (the NAT and the dataplane)} */
    private static boolean traffic(String sn) {
        return sn.equals("dev.natgw.nat") || sn.equals("dev.natgw.dataplane.dpdk");
    }

    /**
     * A traversal server in this JVM behind the container's forwarder: reachable by key, with a relayed connection
     * held open across the forwarder's update; afterwards the relay must have ended with a FIN and the server must be
     * reachable again by key.
     */
    @SuppressWarnings("try") // close() joins the echo thread, so it may be interrupted
    private final class ForwarderCheck implements AutoCloseable {
        private TraversalServer server;
        private Thread echo;
        private Socket held;
        private URI face;
        private Identity id;

        private TraversalOptions.Builder options() {
            return TraversalOptions.builder().registry(face).backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        }

        void beforeUpdate() throws Exception {
            ForwarderService f = service(ForwarderService.class);
            face = registryFace();
            Endpoint forwarder = new Endpoint(Endpoint.FORWARDER, "127.0.0.1", f.info().listen().getPort());
            id = Identity.generate();
            // the forwarder is closed by default: allow-list the key (kept in the credentials file, so it is still
            // admitted by the updated bundle)
            service(ForwarderAdminService.class).allow(id.key(), "");
            server = TraversalServer.open(id, options().forwarder(forwarder).direct(false).build());
            assertTrue(server.awaitRegistered(Duration.ofSeconds(20)));
            echo = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException e) {
                                // the relay ended
                            }
                        });
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            // registered first, then announced in the registry over its HTTP face
            held = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(this::connectAndEcho, s -> s != null);
        }

        private Socket connectAndEcho() throws Exception {
            Socket s = new TraversalClient(options().build()).connect(id.key());
            s.setSoTimeout(10_000);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            return s;
        }

        void afterUpdate() throws Exception {
            // the relay open across the update ended with a FIN, not a reset or a hang; since the server did not close
            // the end-to-end stream (the forwarder went), the library says the stream was cut short on the way
            InputStream in = held.getInputStream();
            org.junit.Assert.assertThrows("the held relay ends with a FIN the server did not send",
                    dev.natgw.traversal.TruncatedStreamException.class, in::read);
            held.close();
            long t0 = System.nanoTime();
            Socket again = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(this::connectAndEcho, s -> s != null);
            again.close();
            System.out.printf("natgw hot-deploy: forwarder update: the relay held across it ended with a FIN (a cut"
                    + " stream to the end-to-end channel); the"
                    + " traversal server was reachable by key again %d ms after the update%n",
                    (System.nanoTime() - t0) / 1_000_000);
        }

        @Override
        public void close() throws Exception {
            if (held != null) {
                held.close();
            }
            if (server != null) {
                server.close();
            }
            if (echo != null) {
                echo.join(5000);
            }
        }
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /**
     * Updates a bundle {@value #REPEATS} times in a row: every old revision's class loader must be collected, and
     * threads, file descriptors, the process's memory and the keeper's deposits must not grow; traffic flows after.
     */
    private void repeatedUpdatesLeakNothing(String sn, String jarProperty) throws Exception {
        String jar = "file:" + System.getProperty(jarProperty);
        Bundle bundle = NatgwContainer.bundle(context, sn);
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        // one update first, so that what a first update sets up once (shell sessions, caches) is in the baseline
        update(sn, jar);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
        int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
        long fds0 = fds();
        long rss0 = rssKb();
        long rss10 = 0;
        long totalMs = 0;
        for (int i = 1; i <= REPEATS; i++) {
            loaders.add(new WeakReference<>(bundle.adapt(BundleWiring.class).getClassLoader()));
            JsonNode r = update(sn, jar);
            totalMs += r.get("millisToServices").asLong();
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
            if (i == REPEATS / 2) {
                rss10 = rssKb();
            }
        }
        assertEquals("one revision left after the refreshes", 1,
                bundle.adapt(BundleRevisions.class).getRevisions().size());
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            System.gc();
            return loaders.stream().allMatch(w -> w.get() == null);
        });
        // threads that end asynchronously (DS, Felix) settle within a few seconds
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> ManagementFactory.getThreadMXBean().getThreadCount() <= threads0 + 3);
        int threads1 = ManagementFactory.getThreadMXBean().getThreadCount();
        long fds1 = fds();
        System.gc();
        long rss1 = rssKb();
        JsonNode st = state();
        System.out.printf("natgw hot-deploy: %d %s updates in a row (mean %d ms to services): class loaders of old"
                + " revisions collected %d of %d; threads %d -> %d; file descriptors %d -> %d; VmRSS %d -> %d -> %d"
                + " MiB; state deposits left %d%n", REPEATS, sn, totalMs / REPEATS, REPEATS, REPEATS, threads0,
                threads1, fds0, fds1, rss0 / 1024, rss10 / 1024, rss1 / 1024, st.get("deposits").size());
        assertEquals(st.toString(), 0, st.get("deposits").size());
        assertTrue("file descriptors " + fds0 + " -> " + fds1, fds1 <= fds0 + 5);
        // the NAT's off-heap tables (up to a million sessions) and the dataplane's mbuf pool are each far larger than
        // this slack divided by 20: one leaked per update would exceed it
        assertTrue("VmRSS " + rss0 / 1024 + " -> " + rss1 / 1024 + " MiB", rss1 - rss0 < 256 * 1024);
        assertNotNull(service(NatService.class));
        // and the gateway still forwards
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> in("ping", "-c", "1", "-W", "2", "198.19.0.2").contains(" 0% packet loss"));
    }
}
