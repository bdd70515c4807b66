package dev.natgw.forwarder;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;

/**
 * Run by {@link TlsBeyondLoopbackNamespaceTest} inside a network namespace where {@code args[0]} is an address of the
 * loopback interface that is not a loopback address: a forwarder there with the default configuration, and what it
 * does, one line each.
 */
public final class TlsBeyondLoopbackScenario {
    private TlsBeyondLoopbackScenario() {
    }

    public static void main(String[] args) throws Exception {
        String address = args[0];
        RegistryManager registry = Fixture.registry();
        ForwarderManager f = Fixture.forwarder(registry, Map.of("listen.host", address, "announce", true));
        try {
            System.out.println("tls " + f.info().tls() + " certificate " + f.info().fingerprint());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (f.info().announcedAs() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String announced = f.info().announcedAs();
            System.out.println("announced " + announced);
            // a server and a client given only the announcement
            TraversalOptions o = TraversalOptions.builder().forwarder(Endpoint.parse(announced)).direct(false)
                    .credential(Fixture.credential()).build();
            Identity id = Identity.generate();
            try (TraversalServer server = TraversalServer.open(id, o)) {
                System.out.println("registered " + server.awaitRegistered(Duration.ofSeconds(10)));
                Echo.serve(server);
                try (Socket s = new TraversalClient(o).connect(id.key())) {
                    Echo.roundTrip(s, 2_000, 5);
                    System.out.println("echo intact");
                }
            }
            // plain TCP to it gets no frame back
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(address, f.boundAddress().getPort()), 5000);
                plain.setSoTimeout(10_000);
                new Payload.Writer().string("plain").frame(MessageType.HELLO).write(plain.getOutputStream());
                Frame.read(plain.getInputStream());
                System.out.println("plain answered");
            } catch (IOException e) {
                System.out.println("plain refused");
            }
            // and tls = off there is refused, unless allowed
            try {
                Fixture.forwarder(registry, Map.of("listen.host", address, "tls", "off")).deactivate();
                System.out.println("off started");
            } catch (IllegalArgumentException e) {
                System.out.println("off refused: " + e.getMessage());
            }
            ForwarderManager allowed = Fixture.forwarder(registry, Map.of("listen.host", address, "tls", "off",
                    "allow.plaintext", true));
            System.out.println("off allowed: tls " + allowed.info().tls());
            allowed.deactivate();
        } finally {
            f.deactivate();
            TestRegistry.stop(registry);
        }
    }
}
