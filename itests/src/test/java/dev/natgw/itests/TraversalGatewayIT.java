package dev.natgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.forwarder.ForwarderAdminService;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.TenantQuota;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.nat.NatService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.awaitility.Awaitility;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Issue 5 end to end, through the gateway: an HTTP server on a host of the inside network, which reaches the
 * world only through natgw's DPDK NAT, is exposed by key with the traversal CLI; a host of the outside network
 * finds the key in the registry and fetches a page with curl through natgw's forwarder. The forwarder and the
 * registry's HTTP face are the distribution's own, listening on the appliance's service address 198.19.0.194
 * (scripts/topology's {@code --service} link from the upstream router to the root namespace). Needs root; skipped
 * otherwise.
 *
 * <pre>
 *   tgw-in 198.18.0.2: python3 http.server 127.0.0.1:8000 + "expose --port 8000"
 *        | (inside)  natgw dataplane + NAT  (outside 198.19.0.1)
 *   tgw-out router 198.19.0.2 ---- 198.19.0.194: natgw's forwarder and registry HTTP face (root namespace)
 *        |
 *   tgw-far 198.19.0.130: "forward --listen 127.0.0.1:8080 KEY" + curl http://127.0.0.1:8080/
 * </pre>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TraversalGatewayIT {
    static final String NAME = "tgw";
    static final String SERVICE = "198.19.0.194";

    @Inject
    BundleContext context;

    @Inject
    SessionFactory sessions;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    NatService nat;

    @Inject
    ForwarderService forwarder;

    @Inject
    ForwarderAdminService admission;

    /**
     * Runs in the test driver before the container starts: the service address must exist before Pax Web and the
     * forwarder bind to it, so the topology comes up here (the test takes it down).
     */
    @Configuration
    public Option[] config() throws Exception {
        boolean root = "0".equals(DataplaneIT.ok(10, "id", "-u").trim());
        String topology = System.getProperty("natgw.topology");
        boolean driver = System.getProperty("karaf.base") == null;
        if (driver && root && topology != null && Files.isExecutable(Path.of(topology))) {
            DataplaneIT.run(60, topology, "down", NAME);
            DataplaneIT.ok(60, topology, "up", NAME, "--service");
        }
        return new Option[]{composite(NatgwContainer.distribution()),
                systemProperty("natgw.traversal.cli"),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.ops4j.pax.web.listening.addresses",
                        "127.0.0.1," + SERVICE),
                // beyond loopback natgw turns Pax Web's HTTPS connector on: on a port of its own, so that another
                // natgw on this machine does not collide with this one
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port.secure",
                        NatgwContainer.freePort()),
                editConfigurationFilePut("etc/dev.natgw.forwarder.cfg", "listen.host", SERVICE),
                // the registry face is reached over plain HTTP on the service address, inside the test's own
                // namespaces: allowed explicitly, as an operator would on a network they trust
                editConfigurationFilePut("etc/dev.natgw.registry.http.cfg", "allow.plaintext", "true")};
    }

    private static Option systemProperty(String name) {
        return org.ops4j.pax.exam.CoreOptions.systemProperty(name).value(System.getProperty(name, ""));
    }

    private boolean dataplaneReady() {
        ServiceReference<Dataplane> ref = context.getServiceReference(Dataplane.class);
        if (ref == null) {
            return false;
        }
        Dataplane d = context.getService(ref);
        return d.ports().size() == 2 && d.ports().get(0).device().contains(NAME + "i0") && d.stages().contains("nat");
    }

    private int httpPort() throws Exception {
        Object port = configAdmin.getConfiguration("org.ops4j.pax.web", null).getProperties()
                .get("org.osgi.service.http.port");
        return Integer.parseInt(String.valueOf(port));
    }

    /** A process whose output is collected as it comes, for waiting on a line. */
    static final class Child implements AutoCloseable {
        final Process process;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Thread reader;

        Child(String... command) throws IOException {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            reader = Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[4096];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(buf)) > 0;) {
                        synchronized (out) {
                            out.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    @Test
    public void aServerInsideIsReachedByKeyFromOutsideThroughTheForwarder() throws Exception {
        assumeTrue("needs root", DataplaneIT.ok(10, "id", "-u").trim().equals("0"));
        String topology = System.getProperty("natgw.topology");
        assumeTrue("no " + topology, Files.isExecutable(Path.of(topology)));
        String cli = System.getProperty("natgw.traversal.cli");
        assumeTrue("no traversal CLI jar " + cli, cli != null && Files.isRegularFile(Path.of(cli)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Files.createDirectories(Path.of(System.getProperty("natgw.itests.work"), "traversal-gateway"));
        List<Child> children = new ArrayList<>();
        try {
            // the gateway: natgw's dataplane on the topology's ports, configured as an operator would
            org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("dev.natgw.dataplane", null);
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("inside.device", "net_af_packet,iface=" + NAME + "i0");
            props.put("outside.device", "net_af_packet,iface=" + NAME + "o0");
            props.put("inside.address", "198.18.0.1/24");
            props.put("outside.address", "198.19.0.1/25");
            props.put("outside.gateway", "198.19.0.2");
            c.update(props);
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::dataplaneReady);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> forwarder.info().state() == ForwarderState.LISTENING);
            int fwdPort = forwarder.info().listen().getPort();
            assertEquals(SERVICE, forwarder.info().listen().getAddress().getHostAddress());
            String registry = "http://" + SERVICE + ":" + httpPort() + "/natgw/registry/v1";
            // beyond loopback the forwarder speaks TLS by default, with the certificate it generated, announced by
            // its fingerprint, which the CLI pins (issue 15, part 4)
            assertTrue(forwarder.info().tls());
            String announced = "natgw+tls://" + SERVICE + ":" + fwdPort + "#" + forwarder.info().fingerprint();

            // the inside host reaches the registry only through the NAT: its source is natgw's global address
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> DataplaneIT.ok(20, "ip", "netns", "exec", NAME + "-in", "curl", "-sS",
                            "--max-time", "5", registry + "/lookup?key=natgw/forwarders"),
                            body -> body.contains(announced));

            // an HTTP server on the inside host, on loopback only, with a page nobody could guess
            String token = UUID.randomUUID().toString();
            Path site = Files.createDirectories(work.resolve("site"));
            Files.writeString(site.resolve("index.html"), "natgw traversal " + token + "\n");
            children.add(new Child("ip", "netns", "exec", NAME + "-in", "python3", "-m", "http.server", "8000",
                    "--bind", "127.0.0.1", "--directory", site.toString()));
            Path identity = work.resolve("server-identity");
            Files.deleteIfExists(identity);
            // the forwarder admits only credentialed servers: the operator issues one, the server presents it
            Path credential = work.resolve("credential");
            Files.deleteIfExists(credential);
            Files.writeString(credential, admission.addTenant("gateway-" + System.nanoTime(), new TenantQuota(10, 100,
                    0)));
            Child expose = new Child("ip", "netns", "exec", NAME + "-in", java, "-jar", cli, "expose", "--port",
                    "8000", "--identity", identity.toString(), "--registry", registry, "--timeout", "10", "--token",
                    credential.toString());
            children.add(expose);
            // the probe cannot reach the inside host through the NAT, so the server publishes through the forwarder
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> expose.output().contains("published at")
                    || !expose.process.isAlive());
            String exposed = expose.output();
            Matcher km = Pattern.compile("key (ed25519-[0-9a-f]+)").matcher(exposed);
            assertTrue(exposed, km.find());
            String key = km.group(1);
            assertTrue(exposed, exposed.contains("published at " + announced));

            // the forwarder sees the server's control connection coming from natgw's global address
            JsonNode servers = new ObjectMapper().readTree(NatgwContainer.execute(sessions, "fwd:servers --json"));
            assertEquals(servers.toString(), key, servers.get(0).get("key").asText());
            assertTrue(servers.toString(), servers.get(0).toString().contains("198.19.0.1"));
            // and the NAT holds the inside host's sessions towards the service address
            String natSessions = NatgwContainer.execute(sessions, "nat:sessions --inside 198.18.0.2 --json");
            assertTrue(natSessions, natSessions.contains(SERVICE + ":" + fwdPort));

            // the outside host: a local port forwarded to the key, and curl on it
            Child forward = new Child("ip", "netns", "exec", NAME + "-far", java, "-jar", cli, "forward",
                    "--listen", "127.0.0.1:8080", key, "--registry", registry, "--timeout", "10");
            children.add(forward);
            String page = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> DataplaneIT.ok(20, "ip", "netns", "exec", NAME + "-far", "curl",
                            "-sS", "--max-time", "10", "http://127.0.0.1:8080/"), body -> body.contains(token));
            assertEquals("natgw traversal " + token + "\n", page);
            // a few more, each a new relayed connection
            for (int i = 0; i < 5; i++) {
                assertEquals("natgw traversal " + token + "\n", DataplaneIT.ok(20, "ip", "netns", "exec",
                        NAME + "-far", "curl", "-sS", "--max-time", "10", "http://127.0.0.1:8080/"));
            }
            JsonNode stats = new ObjectMapper().readTree(NatgwContainer.execute(sessions, "fwd:stats --json"));
            assertTrue(stats.toString(), stats.get("counters").get("bytesRelayed").asLong() > 6 * token.length());
            System.out.println("natgw traversal through the gateway: 6 pages fetched by key from " + NAME
                    + "-far, server on " + NAME + "-in behind the NAT; forwarder " + stats.get("counters"));
        } finally {
            for (Child child : children) {
                child.close();
            }
            DataplaneIT.run(60, topology, "down", NAME);
        }
    }
}
