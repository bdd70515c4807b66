package dev.natgw.forwarder;

import com.sun.net.httpserver.HttpServer;
import dev.natgw.api.registry.Registry;
import dev.natgw.registry.http.RegistryHttpConfig;
import dev.natgw.registry.http.RegistryHttpFace;
import dev.natgw.registry.http.RegistryHttpSettings;
import dev.natgw.registry.http.RegistryServlet;
import dev.natgw.testing.ConfigProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry's HTTP face served by the JDK's HTTP server on loopback, for tests outside Karaf (the appliance
 * serves the same {@link RegistryHttpFace} through Pax Web; ForwarderIT covers that).
 */
public final class FaceServer implements AutoCloseable {
    private final HttpServer server;

    public FaceServer(Registry registry) throws IOException {
        // every test client is 127.0.0.1, one source: the face's rates and key caps are RegistryHttpAttackTest's
        // subject, and here they are wide enough never to bind
        RegistryHttpFace face = new RegistryHttpFace(registry, Clock.systemUTC(), RegistryHttpSettings.of(ConfigProxy
                .of(RegistryHttpConfig.class, Map.of("rate.per.source", 100_000, "rate.per.key", 10_000,
                        "keys.per.source", 100_000))));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext(RegistryServlet.BASE, exchange -> {
            String path = exchange.getRequestURI().getPath().substring(RegistryServlet.BASE.length());
            Map<String, String> query = new HashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            if (raw != null) {
                for (String kv : raw.split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        query.putIfAbsent(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder
                                .decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] read = in.readNBytes(RegistryHttpFace.MAX_BODY + 1);
                body = read.length > RegistryHttpFace.MAX_BODY ? null : read;
            }
            RegistryHttpFace.Answer a = face.handle(exchange.getRequestMethod(), path, query, body);
            byte[] json = a.json();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.status(), json.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(json);
            }
        });
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + RegistryServlet.BASE);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
