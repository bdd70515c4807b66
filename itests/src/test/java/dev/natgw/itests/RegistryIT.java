package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
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
 * The registry in the natgw distribution: the Registry service is up with the embedded backend its default
 * configuration names, keeps what is announced, and registry:lookup / registry:list show it. The Curator and wrapped
 * ZooKeeper bundles of the zookeeper backend resolve beside it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistryIT {

    @Inject
    BundleContext context;

    @Inject
    FeaturesService features;

    @Inject
    SessionFactory sessions;

    @Inject
    Registry registry;

    @Inject
    ConfigurationAdmin configs;

    @Configuration
    public Option[] config() {
        return NatgwContainer.distribution();
    }

    @Test
    public void registryIsUpWithTheEmbeddedBackend() throws Exception {
        assertTrue("feature natgw-registry installed", features.isInstalled(features.getFeature("natgw-registry")));
        assertEquals(Bundle.ACTIVE, NatgwContainer.bundle(context, "dev.natgw.registry").getState());
        assertEquals(Registry.BACKEND_EMBEDDED, registry.backend());
    }

    @Test
    public void theOwnerIdentityIsKeptInDataForTheApplianceOnly() throws Exception {
        RegistryEntry entry = registry.announce("itest/owner", "198.19.0.1:7001", Duration.ofMinutes(1));
        Path kept = Path.of(System.getProperty("karaf.data"), "natgw", "registry-owner");
        assertEquals("the owner survives a restart through this file", entry.owner(), Files.readString(kept).strip());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
        assertTrue(registry.withdraw("itest/owner", "198.19.0.1:7001"));
    }

    @Test
    public void announcedEntryIsLookedUpAndShownByTheCommands() throws Exception {
        RegistryEntry entry = registry.announce("itest/fwd", "198.19.0.1:7000", Duration.ofMinutes(5));
        assertEquals(List.of(entry), registry.lookup("itest/fwd", 10));

        // commands register asynchronously
        String out = await().atMost(30, TimeUnit.SECONDS).ignoreExceptions()
                .until(() -> NatgwContainer.execute(sessions, "registry:lookup --no-format itest/fwd"), s -> true);
        assertTrue(out,
                out.matches("(?s).*itest/fwd\\s+198\\.19\\.0\\.1:7000\\s+" + entry.owner() + "\\s+\\d+m \\d+s.*"));

        JsonNode json = new ObjectMapper()
                .readTree(NatgwContainer.execute(sessions, "registry:lookup --json itest/fwd"));
        assertEquals(out, "198.19.0.1:7000", json.get("entries").get(0).get("value").asText());

        String list = NatgwContainer.execute(sessions, "registry:list --no-format");
        assertTrue(list, list.matches("(?s).*itest/fwd\\s+1\\b.*"));

        assertTrue(registry.withdraw("itest/fwd", "198.19.0.1:7000"));
        assertTrue(registry.lookup("itest/fwd", 10).isEmpty());
    }

    @Test
    public void theHttpFaceReadsBodiesAsynchronouslyAndRefusesFloodsWith429() throws Exception {
        Dictionary<String, Object> face = configs.getConfiguration("dev.natgw.registry.http", null).getProperties();
        assertNotNull("the feature ships dev.natgw.registry.http", face);
        assertEquals("50", String.valueOf(face.get("rate.per.source")));
        int port = Integer.parseInt(String.valueOf(configs.getConfiguration("org.ops4j.pax.web", null)
                .getProperties().get("org.osgi.service.http.port")));
        URI base = URI.create("http://127.0.0.1:" + port + "/natgw/registry/v1");
        try (HttpClient http = HttpClient.newHttpClient()) {
            // a body read through Pax Web's asynchronous support: a bad one gets the face's 400
            HttpResponse<String> bad = await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(base + "/announce")).POST(HttpRequest.BodyPublishers.ofString(
                            "{}")).build(),
                    HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() != 404);
            assertEquals(bad.body(), 400, bad.statusCode());
            // a body announced far over the bound is refused before it is sent, to a client that asks first
            // (Expect: 100-continue): the 413 comes instead of the 100 that would let it send, and the connection
            // closes. Without the Expect, Pax Web's Jetty 9.4 passes a request that announces a body to the servlet
            // only once the body's first bytes arrive (delayDispatchUntilContent) or the connection's idle timeout
            // (30 s) runs out, so a client sending headers alone waits those 30 s for any answer.
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("POST /natgw/registry/v1/announce HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: 100000000\r\nExpect: 100-continue\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer, answer.startsWith("HTTP/1.1 413"));
                assertTrue(answer, answer.contains("larger than 16384"));
            }
            // a burst of lookups from one source: over its rate, 429 with Retry-After
            int refused = 0;
            String retryAfter = null;
            for (int i = 0; i < 300 && refused == 0; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/lookup?key=itest/none"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 429) {
                    refused++;
                    retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                } else {
                    assertEquals(r.body(), 200, r.statusCode());
                }
            }
            assertTrue("a burst over rate.per.source is refused", refused > 0);
            assertEquals("1", retryAfter);
        }
    }

    @Test
    public void zookeeperClientBundlesResolve() throws Exception {
        for (String name : List.of("curator-client", "curator-framework", "curator-recipes",
                "org.apache.zookeeper.zookeeper", "com.google.guava")) {
            assertEquals(name, Bundle.ACTIVE, NatgwContainer.bundle(context, name).getState());
        }
        assertEquals(Bundle.RESOLVED, NatgwContainer.bundle(context, "org.apache.zookeeper.jute").getState());
        Bundle zookeeper = NatgwContainer.bundle(context, "org.apache.zookeeper.zookeeper");
        // the client's NIO socket and a class from the jute fragment load through the one class loader
        assertNotNull(zookeeper.loadClass("org.apache.zookeeper.ClientCnxnSocketNIO"));
        assertNotNull(zookeeper.loadClass("org.apache.zookeeper.proto.ConnectRequest"));
        // zookeeper.tls: the Netty client socket, and the Netty TLS and transport classes it needs, wired to Netty's
        // bundles through the optional imports
        assertNotNull(zookeeper.loadClass("org.apache.zookeeper.ClientCnxnSocketNetty"));
        for (String netty : List.of("io.netty.handler.ssl.SslHandler", "io.netty.channel.nio.NioEventLoopGroup",
                "io.netty.bootstrap.Bootstrap", "io.netty.buffer.ByteBuf")) {
            assertNotNull(netty, zookeeper.loadClass(netty));
        }
        Bundle framework = NatgwContainer.bundle(context, "curator-framework");
        assertNotNull(framework.loadClass("org.apache.curator.framework.CuratorFrameworkFactory"));
    }
}
