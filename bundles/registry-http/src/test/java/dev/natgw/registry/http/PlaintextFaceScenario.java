package dev.natgw.registry.http;

import dev.natgw.api.registry.RegistryFaceInfo;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.testing.InMemoryConfigAdmin;
import dev.natgw.traversal.RegistryClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Hashtable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.ops4j.pax.web.service.jetty.internal.PaxWebSecureConnector;

/**
 * Run by {@link PlaintextFaceNamespaceTest} inside a network namespace where {@code args[0]} is an address of the
 * loopback interface that is not a loopback address: serves the face on every address of the namespace, with
 * {@code allow.plaintext = args[1]}, and prints the status line and body of one plain HTTP lookup to that address and
 * one to 127.0.0.1; then, with the HTTPS connector natgw turns on (Pax Web's own, from the settings
 * {@link RegistryHttpsManager} writes), one lookup over HTTPS to that address by a client pinned to its certificate.
 */
public final class PlaintextFaceScenario {
    private PlaintextFaceScenario() {
    }

    public static void main(String[] args) throws Exception {
        RegistryManager registry = TestRegistry.start();
        Path data = Files.createTempDirectory("natgw-face");
        try (JettyHttpService http = new JettyHttpService("0.0.0.0")) {
            // Pax Web listening on every address: natgw turns its HTTPS connector on (a free port here)
            InMemoryConfigAdmin cm = new InMemoryConfigAdmin();
            cm.getConfiguration(PaxWebHttps.PID).update(new Hashtable<>(Map.of(PaxWebHttps.LISTENING_ADDRESSES,
                    "0.0.0.0", PaxWebHttps.SECURE_PORT, "0")));
            RegistryFaceInfo face = new RegistryHttpsManager(cm, data.resolve("registry-https.p12")).info();
            http.addConnector(server -> PaxWebSecureConnector.of(server, new Hashtable<>(cm.properties(
                    PaxWebHttps.PID)), "0.0.0.0"));
            new RegistryHttpManager(http, registry, ConfigProxy.of(RegistryHttpConfig.class, Map.of("allow.plaintext",
                    Boolean.parseBoolean(args[1]))));
            http.start();
            for (String host : new String[]{args[0], "127.0.0.1"}) {
                System.out.println(host + " -> " + lookup(host, http.port()));
            }
            RegistryClient pinned = new RegistryClient(URI.create("https://" + args[0] + ":" + http.port(1)
                    + RegistryServlet.BASE + "#" + face.fingerprint()), Duration.ofSeconds(10));
            System.out.println("https " + args[0] + " -> served, " + pinned.lookup("natgw/forwarders", 8).size()
                    + " entries");
        } finally {
            TestRegistry.stop(registry);
            try (var files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** {@return the status line and the body of a plain HTTP lookup, on one line} */
    private static String lookup(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + RegistryServlet.BASE + "/lookup?key=natgw/forwarders HTTP/1.1\r\nHost: "
                    + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headersEnd = response.indexOf("\r\n\r\n");
            return response.substring(0, response.indexOf("\r\n")) + " " + response.substring(headersEnd + 4)
                    .strip();
        }
    }
}
