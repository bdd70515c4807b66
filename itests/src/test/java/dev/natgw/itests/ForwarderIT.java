package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.registry.Registry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The forwarder and the registry's HTTP face in the natgw distribution: the forwarder listens and announces itself,
 * a server using the traversal library (installed beside, as an application would) registers with it and announces
 * its key over HTTP, a client looks the key up over HTTP and is relayed; fwd:servers, fwd:sessions and fwd:stats
 * show it, as tables and JSON.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ForwarderIT {

    @Inject
    BundleContext context;

    @Inject
    FeaturesService features;

    @Inject
    SessionFactory sessions;

    @Inject
    ForwarderService forwarder;

    @Inject
    Registry registry;

    @Inject
    ConfigurationAdmin configs;

    @Configuration
    public Option[] config() {
        return new Option[]{composite(NatgwContainer.distribution()),
                bundle("file:" + System.getProperty("natgw.traversal.jar"))};
    }

    private int httpPort() throws Exception {
        Object port = configs.getConfiguration("org.ops4j.pax.web", null).getProperties().get(
                "org.osgi.service.http.port");
        return Integer.parseInt(String.valueOf(port));
    }

    private Endpoint forwarderEndpoint() {
        return new Endpoint(Endpoint.FORWARDER, "127.0.0.1", forwarder.info().listen().getPort());
    }

    @Test
    public void forwarderListensAndAnnouncesItself() throws Exception {
        assertTrue(features.isInstalled(features.getFeature("natgw-forwarder")));
        assertTrue(features.isInstalled(features.getFeature("natgw-registry-http")));
        assertEquals(Bundle.ACTIVE, NatgwContainer.bundle(context, "dev.natgw.forwarder").getState());
        assertEquals(ForwarderState.LISTENING, forwarder.info().state());
        String value = forwarderEndpoint().toString();
        await().atMost(10, TimeUnit.SECONDS).until(() -> registry.lookup(ForwarderService.ANNOUNCE_KEY, 10)
                .stream().anyMatch(e -> e.value().equals(value)));
        // the HTTP face answers lookups on Pax Web
        URI lookup = URI.create("http://127.0.0.1:" + httpPort() + "/natgw/registry/v1/lookup?key="
                + ForwarderService.ANNOUNCE_KEY);
        String body = await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().until(() -> get(lookup), b -> b
                .contains(value));
        assertTrue(body, body.startsWith("200 "));
        JsonNode entries = new ObjectMapper().readTree(body.substring(4)).get("entries");
        assertEquals(body, value, entries.get(0).get("value").asText());
    }

    private static String get(URI uri) throws Exception {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getResponseCode() == 200 ? c.getInputStream() : c.getErrorStream()) {
            return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void aServerBehindTheForwarderIsReachedByKeyAndTheCommandsShowIt() throws Exception {
        URI face = URI.create("http://127.0.0.1:" + httpPort() + "/natgw/registry/v1");
        await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().until(() -> get(URI.create(face
                + "/lookup?key=x")).startsWith("200"));
        Identity id = Identity.generate();
        // closed by default: a server without a credential is refused
        TraversalOptions anonymous = TraversalOptions.builder().registry(face).forwarder(forwarderEndpoint())
                .direct(false).build();
        try (TraversalServer server = TraversalServer.open(id, anonymous)) {
            assertFalse(server.awaitRegistered(Duration.ofSeconds(2)));
        }
        // the operator issues a credential with the command; the server presents it
        JsonNode issued = new ObjectMapper().readTree(NatgwContainer.execute(sessions,
                "fwd:tenant-add --servers 2 --relays 10 --json itest"));
        TraversalOptions options = TraversalOptions.builder().registry(face).forwarder(forwarderEndpoint())
                .direct(false).credential(issued.get("credential").asText()).build();
        try (TraversalServer server = TraversalServer.open(id, options)) {
            assertTrue(server.awaitRegistered(Duration.ofSeconds(10)));
            String tenants = NatgwContainer.execute(sessions, "fwd:tenants --no-format");
            assertTrue(tenants, tenants.matches("(?s).*itest\\s+1 / 2\\s+0 / 10.*"));
            // the server announced key -> forwarder over the HTTP face, signed by the key (docs/protocol.md, 10)
            await().atMost(10, TimeUnit.SECONDS).until(() -> registry.lookup(id.key(), 10).stream().anyMatch(e -> e
                    .value().startsWith(forwarderEndpoint() + " natgw-sig-v1 ")));
            Thread echo = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (Exception e) {
                    // the test fails on the client side
                }
            });
            TraversalClient client = new TraversalClient(TraversalOptions.builder().registry(face).build());
            try (Socket s = client.connect(id.key())) {
                OutputStream out = s.getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping", new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));

                String servers = NatgwContainer.execute(sessions, "fwd:servers --no-format");
                assertTrue(servers, servers.contains(id.key()));
                JsonNode sjson = new ObjectMapper().readTree(NatgwContainer.execute(sessions, "fwd:servers --json"));
                assertEquals(id.key(), sjson.get(0).get("key").asText());
                assertEquals(1, sjson.get(0).get("activeRelays").asInt());

                String relays = NatgwContainer.execute(sessions, "fwd:sessions --no-format");
                assertTrue(relays, relays.matches("(?s).*\\d+\\s+" + id.key() + "\\s+127\\.0\\.0\\.1:\\d+.*"));
                JsonNode rjson = new ObjectMapper().readTree(NatgwContainer.execute(sessions, "fwd:sessions --json"));
                // the relay carries the end-to-end channel: the 4 bytes inside TLS, after its handshake
                long up = rjson.get(0).get("bytesClientToServer").asLong();
                assertTrue("client to server: " + up, up > 4 && up < 4096);
            }
            echo.join(5000);
            JsonNode stats = new ObjectMapper().readTree(NatgwContainer.execute(sessions, "fwd:stats --json"));
            assertEquals("LISTENING", stats.get("state").asText());
            assertTrue(stats.toString(), stats.get("counters").get("registrations").asLong() >= 1);
            assertTrue(stats.toString(), stats.get("counters").get("bytesRelayed").asLong() >= 8);
            String table = NatgwContainer.execute(sessions, "fwd:stats --no-format");
            assertTrue(table, table.matches("(?s).*clients accepted\\s+[1-9].*"));
        }
    }
}
