package dev.natgw.registry.http;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.testing.ConfigProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Run by {@link PlaintextFaceNamespaceTest} inside a network namespace where {@code args[0]} is an address of the
 * loopback interface that is not a loopback address: serves the face on every address of the namespace, with
 * {@code allow.plaintext = args[1]}, and prints the status line and body of one plain HTTP lookup to that address and
 * one to 127.0.0.1.
 */
public final class PlaintextFaceScenario {
    private PlaintextFaceScenario() {
    }

    public static void main(String[] args) throws Exception {
        RegistryManager registry = TestRegistry.start();
        try (JettyHttpService http = new JettyHttpService("0.0.0.0")) {
            new RegistryHttpManager(http, registry, ConfigProxy.of(RegistryHttpConfig.class, Map.of("allow.plaintext",
                    Boolean.parseBoolean(args[1]))));
            http.start();
            for (String host : new String[]{args[0], "127.0.0.1"}) {
                System.out.println(host + " -> " + lookup(host, http.port()));
            }
        } finally {
            TestRegistry.stop(registry);
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
