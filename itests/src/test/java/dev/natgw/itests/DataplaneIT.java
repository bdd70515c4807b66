package dev.natgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.nat.NatService;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The DPDK dataplane in the distribution, as a gateway for real hosts: the test's own namespace topology
 * (scripts/topology) wired to natgw's ports through net_af_packet, configured through ConfigAdmin as an
 * operator would. curl through it, the dp: commands, a capture read back as pcap, then hot swaps in the
 * same JVM: the dataplane bundle stopped and started, then updated, and the NAT bundle updated while a
 * ping stream runs. Needs root; skipped otherwise.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DataplaneIT {
    static final String NAME = "ngi";

    @Inject
    BundleContext context;

    @Inject
    SessionFactory sessions;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    NatService nat;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return NatgwContainer.distribution();
    }

    record Run(int code, String out) {
    }

    static Run run(long seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                out[0] = in.readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        reader.join(5000);
        return new Run(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }

    static String ok(long seconds, String... command) throws IOException, InterruptedException {
        Run r = run(seconds, command);
        if (r.code != 0) {
            throw new AssertionError("exit " + r.code + " from " + String.join(" ", command) + ":\n" + r.out);
        }
        return r.out;
    }

    /** Points the dataplane's ports at topology NAME's veths, through ConfigurationAdmin as an operator would. */
    static void configureDataplane(ConfigurationAdmin configAdmin, String name) throws IOException {
        Configuration c = configAdmin.getConfiguration("dev.natgw.dataplane", null);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("inside.device", "net_af_packet,iface=" + name + "i0");
        props.put("outside.device", "net_af_packet,iface=" + name + "o0");
        props.put("inside.address", "198.18.0.1/24");
        props.put("outside.address", "198.19.0.1/25");
        props.put("outside.gateway", "198.19.0.2");
        c.update(props);
    }

    static String topology() {
        return System.getProperty("natgw.topology");
    }

    static String curl() throws Exception {
        return ok(30, "ip", "netns", "exec", NAME + "-in", "curl", "-sS", "--max-time", "5", "http://198.19.0.2/");
    }

    Dataplane dataplane() {
        ServiceReference<Dataplane> ref = context.getServiceReference(Dataplane.class);
        return ref == null ? null : context.getService(ref);
    }

    boolean ready() {
        Dataplane d = dataplane();
        if (d == null) {
            return false;
        }
        List<PortInfo> ports = d.ports();
        return ports.size() == 2 && ports.get(0).device().contains(NAME + "i0") && d.stages().contains("nat");
    }

    /** Waits until curl goes through again; returns how long that took. */
    static long untilCurlWorks() {
        long t0 = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> curl().contains("198.19.0.1"));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    public void gatewayThroughTheDistributionAndHotSwaps() throws Exception {
        assumeTrue("needs root", ok(10, "id", "-u").trim().equals("0"));
        assumeTrue("no " + topology(), Files.isExecutable(Path.of(topology())));
        run(60, topology(), "down", NAME);
        try {
            ok(60, topology(), "up", NAME);
            ok(120, topology(), "serve", NAME);
            configureDataplane(configAdmin, NAME);
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);

            String body = curl();
            assertTrue(body, body.contains("198.19.0.1"));
            assertTrue(ok(20, "ip", "netns", "exec", NAME + "-in", "ping", "-c", "3", "-i", "0.2", "198.19.0.2")
                    .contains(" 0% packet loss"));

            ObjectMapper json = new ObjectMapper();
            // the shell registers the bundle's commands once every service they reference is there
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> NatgwContainer.execute(sessions, "dp:ports --json").contains("inside"));
            JsonNode ports = json.readTree(NatgwContainer.execute(sessions, "dp:ports --json"));
            assertEquals("inside", ports.get("ports").get(0).get("name").asText());
            assertTrue(ports.get("stages").toString(), ports.get("stages").toString().contains("nat"));
            JsonNode stats = json.readTree(NatgwContainer.execute(sessions, "dp:stats --json"));
            assertTrue(stats.toString(), stats.get("ports").get(0).get("rxPackets").asLong() > 0);
            assertTrue(stats.get("counters").get("arp-replies").asLong() > 0);
            JsonNode workers = json.readTree(NatgwContainer.execute(sessions, "dp:workers --json"));
            assertTrue(workers.get("workers").get(0).get("packets").asLong() > 0);

            // a capture of the outside port while pings go through, into the data directory (dp:capture writes
            // nowhere else)
            Path pcap = Path.of(System.getProperty("karaf.data"), "capture", "outside.pcap");
            Files.createDirectories(pcap.getParent());
            Process pinger = new ProcessBuilder("ip", "netns", "exec", NAME + "-in", "ping", "-c", "40", "-i", "0.05",
                    "198.19.0.2").redirectErrorStream(true).start();
            String captured = NatgwContainer.execute(sessions, "dp:capture -c 6 -t 10 outside capture/outside.pcap");
            pinger.waitFor(20, TimeUnit.SECONDS);
            assertTrue(captured, captured.contains("captured 6 frames"));
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0xa1b2c3d4, b.getInt(0));
            assertEquals(1, b.getInt(20));
            int records = 0;
            int at = 24;
            boolean sawGlobal = false;
            while (at + 16 <= b.limit()) {
                int incl = b.getInt(at + 8);
                ByteBuffer frame = ByteBuffer.wrap(b.array(), at + 16, incl).slice();
                // IPv4 source 198.19.0.1 (natgw's global address) or destination, for echo requests and replies
                if (incl >= 34 && frame.getShort(12) == 0x0800
                        && (frame.getInt(26) == 0xc6130001 || frame.getInt(30) == 0xc6130001)) {
                    sawGlobal = true;
                }
                at += 16 + incl;
                records++;
            }
            assertEquals(6, records);
            assertTrue("the capture holds translated packets", sawGlobal);

            // hot swap 1: the dataplane bundle stopped and started in the same JVM (EAL stays up)
            Bundle dp = NatgwContainer.bundle(context, "dev.natgw.dataplane.dpdk");
            dp.stop();
            assertTrue(dataplane() == null);
            long t0 = System.nanoTime();
            dp.start();
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
            long restart = (System.nanoTime() - t0) / 1_000_000 + untilCurlWorks();
            // hot swap 2: the dataplane bundle updated from its jar: a new class loader, a new shim, EAL reused
            t0 = System.nanoTime();
            try (InputStream in = new FileInputStream(System.getProperty("natgw.dataplane.jar"))) {
                dp.update(in);
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
            long update = (System.nanoTime() - t0) / 1_000_000 + untilCurlWorks();
            // hot swap 3: the NAT bundle updated while a ping stream runs through the gateway
            Process stream = new ProcessBuilder("ip", "netns", "exec", NAME + "-in", "ping", "-c", "300", "-i", "0.01",
                    "-W", "1", "198.19.0.2").redirectErrorStream(true).start();
            // the stream is going through the NAT before the update
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> nat.sessionCount() > 0
                    && nat.counters().packetsIn2Out() > 20);
            Bundle natBundle = NatgwContainer.bundle(context, "dev.natgw.nat");
            t0 = System.nanoTime();
            try (InputStream in = new FileInputStream(System.getProperty("natgw.nat.jar"))) {
                natBundle.update(in);
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::ready);
            long natSwap = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(stream.waitFor(60, TimeUnit.SECONDS));
            String pings = new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(pings);
            assertTrue(pings, m.find());
            int sent = Integer.parseInt(m.group(1));
            int received = Integer.parseInt(m.group(2));
            assertTrue(pings, received > 0);
            assertTrue(ok(20, "ip", "netns", "exec", NAME + "-in", "ping", "-c", "5", "-i", "0.1", "198.19.0.2")
                    .contains(" 0% packet loss"));
            untilCurlWorks();
            System.out.printf("natgw hot-swap: dataplane stop/start %d ms to traffic, dataplane update %d ms to"
                    + " traffic, nat update %d ms with %d of %d pings (10 ms apart) lost%n", restart, update, natSwap,
                    sent - received, sent);
        } finally {
            run(60, topology(), "down", NAME);
        }
    }
}
