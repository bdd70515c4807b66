package dev.natgw.traversal;

import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One end of the hole-punching measurement (scripts/punch/nat-pairs.sh), run in its own network namespace:
 * {@code forwarder PORT CREDENTIALFILE} (plain TCP on every address, its tenant credential written to the file, until
 * killed), {@code server FORWARDER KEYFILE CREDENTIALFILE} (an echo server that allows the upgrade, its key written to
 * KEYFILE, until killed) or {@code client FORWARDER KEY N} (N connections
 * in turn, each a stream through the echo while the upgrade runs; prints one line each and a summary).
 */
public final class PunchScenario {
    private PunchScenario() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "forwarder" -> forwarder(Integer.parseInt(args[1]), Path.of(args[2]));
            case "server" -> server(Endpoint.parse(args[1]), Path.of(args[2]), Files.readString(Path.of(args[3])));
            case "client" -> client(Endpoint.parse(args[1]), args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static TraversalOptions.Builder options(Endpoint forwarder) {
        return TraversalOptions.builder().direct(false).backoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .connectTimeout(Duration.ofSeconds(3)).handshakeTimeout(Duration.ofSeconds(5)).forwarder(forwarder);
    }

    private static void forwarder(int port, Path credential) throws InterruptedException, IOException {
        RegistryManager registry = Fixture.registry();
        ForwarderManager f = Fixture.forwarder(registry, Map.of("listen.host", "0.0.0.0", "listen.port", port, "tls",
                "off", "allow.plaintext", true, "idle.timeout", 30, "handshake.timeout", 10));
        // the tenant credential of this JVM's fixture, for the server's JVM
        Files.writeString(credential, Fixture.credential(), StandardCharsets.US_ASCII);
        System.out.println("forwarder listening on " + f.info().listen());
        Thread.sleep(Duration.ofMinutes(10));
    }

    private static void server(Endpoint forwarder, Path keyFile, String credential) throws IOException,
            InterruptedException {
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, options(forwarder).credential(credential).build(),
                ClientPolicy.OPEN, true)) {
            if (!server.awaitRegistered(Duration.ofSeconds(20))) {
                System.out.println("server not registered");
                System.exit(1);
            }
            Files.writeString(keyFile, id.key(), StandardCharsets.US_ASCII);
            System.out.println("server registered as " + id.key());
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (Socket c = s) {
                        c.getInputStream().transferTo(c.getOutputStream());
                        c.shutdownOutput();
                    } catch (IOException e) {
                        System.out.println("server connection: " + e.getMessage());
                    }
                });
            }
        }
    }

    private static void client(Endpoint forwarder, String key, int n) throws Exception {
        TraversalClient client = new TraversalClient(options(forwarder).build(), null, null, true);
        int upgraded = 0;
        int intact = 0;
        List<Long> toDirect = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = client.connect(key)) {
                PunchTransfer.Result r = PunchTransfer.run(s, 1 << 20, i);
                UpgradableSocket.Outcome o = ((UpgradableSocket) s).upgrade().toCompletableFuture().get(30,
                        TimeUnit.SECONDS);
                if (o.direct()) {
                    upgraded++;
                    toDirect.add(o.took().toMillis());
                }
                if (r.intact()) {
                    intact++;
                }
                System.out.println("connection " + i + ": " + (o.direct() ? "direct" : "relayed") + " after "
                        + o.took().toMillis() + " ms, relayed " + r.relayed() + " B, direct " + r.direct()
                        + " B, echo " + (r.intact() ? "intact" : "DAMAGED") + " (" + o.detail() + ")");
            }
        }
        Collections.sort(toDirect);
        String median = toDirect.isEmpty() ? "-" : toDirect.get(toDirect.size() / 2) + " ms";
        String range = toDirect.isEmpty() ? "-" : toDirect.getFirst() + "-" + toDirect.getLast() + " ms";
        System.out.println("summary: upgraded " + upgraded + "/" + n + ", time to direct median " + median + " (range "
                + range + "), echo intact " + intact + "/" + n);
        System.exit(intact == n ? 0 : 1);
    }
}
