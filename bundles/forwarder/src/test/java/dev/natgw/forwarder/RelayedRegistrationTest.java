package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A malicious forwarder relaying a real server's registration to a real forwarder (docs/protocol.md, section 4): both
 * forwarders speak real TLS with certificates of their own, which the server trusts alike. The malicious one passes
 * the frames on unchanged: HELLO, the real forwarder's CHALLENGE, the server's REGISTER (with its valid tenant
 * credential), and the answer. The server's proof names the certificate its TLS handshake saw, the malicious one's, so
 * the real forwarder refuses it and registers nothing, while the same server reaching it directly registers and serves.
 */
class RelayedRegistrationTest {

    private final RegistryManager registry = Fixture.registry();
    private final List<Frame> answers = new CopyOnWriteArrayList<>();
    private ForwarderManager fwd;
    private ServerSocket malicious;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        if (malicious != null) {
            malicious.close();
        }
        if (fwd != null) {
            fwd.deactivate();
        }
        TestRegistry.stop(registry);
    }

    @Test
    void aForwarderRelayingARealServersRegisterIsRefusedAndHonestServersRegister() throws Exception {
        Path real = KeyStores.create(dir, "real");
        Path rogue = KeyStores.create(dir, "rogue");
        fwd = Fixture.forwarder(registry, Map.of("tls.enabled", true, "tls.keystore", real.toString(),
                "tls.keystore.password", KeyStores.PASSWORD));
        int realPort = fwd.boundAddress().getPort();
        SSLSocketFactory rogueToReal = KeyStores.trusting(real);
        malicious = KeyStores.serving(rogue).getServerSocketFactory().createServerSocket(0, 50, InetAddress
                .getLoopbackAddress());
        Thread.ofVirtual().start(() -> relayRegistrations(rogueToReal, realPort));

        // the server trusts both certificates: the rogue looks like any other forwarder it may be sent to
        SSLSocketFactory trustBoth = KeyStores.trusting(real, rogue);
        Identity id = Identity.generate();
        TraversalOptions viaRogue = TraversalOptions.builder().forwarder(new Endpoint(Endpoint.FORWARDER_TLS,
                "127.0.0.1", malicious.getLocalPort())).direct(false).tls(trustBoth).backoff(Duration.ofMillis(50),
                        Duration.ofMillis(200))
                .credential(Fixture.credential()).build();
        try (TraversalServer victim = TraversalServer.open(id, viaRogue)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() >= 3);
            assertThat(victim.registrations()).isZero();
        }
        byte[] rogueIdentity = ForwarderIdentity.of(KeyStores.certificate(rogue));
        for (Frame answer : answers) {
            assertThat(answer.type()).as(MessageType.name(answer.type())).isEqualTo(MessageType.ERROR);
            ProtocolException e = answer.asError();
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_PROOF);
            assertThat(e.getMessage()).contains("names another forwarder", ForwarderIdentity.text(ForwarderIdentity.of(
                    KeyStores.certificate(real))));
        }
        assertThat(ForwarderIdentity.text(rogueIdentity)).isNotEqualTo(ForwarderIdentity.text(ForwarderIdentity.of(
                KeyStores.certificate(real))));
        assertThat(fwd.servers()).isEmpty();
        assertThat(fwd.counters().registrationsRejected()).isGreaterThanOrEqualTo(answers.size());
        assertThat(fwd.counters().registrations()).isZero();

        // the same server, reaching the real forwarder itself, registers and serves a client through it
        TraversalOptions direct = TraversalOptions.builder().forwarder(new Endpoint(Endpoint.FORWARDER_TLS,
                "127.0.0.1", realPort)).direct(false).tls(trustBoth).credential(Fixture.credential()).build();
        try (TraversalServer honest = TraversalServer.open(id, direct)) {
            assertThat(honest.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            assertThat(fwd.servers()).singleElement().satisfies(s -> assertThat(s.key()).isEqualTo(id.key()));
            Echo.serve(honest);
            try (Socket s = new TraversalClient(direct).connect(id.key())) {
                Echo.roundTrip(s, 2_000, 9);
            }
        }
    }

    /**
     * The malicious forwarder: for each server that connects, opens its own TLS connection to the real forwarder and
     * passes the registration's frames on unchanged, recording the real forwarder's answer to the REGISTER.
     */
    private void relayRegistrations(SSLSocketFactory toReal, int realPort) {
        while (!malicious.isClosed()) {
            try (Socket server = malicious.accept(); Socket real = toReal.createSocket("127.0.0.1", realPort)) {
                server.setSoTimeout(10_000);
                real.setSoTimeout(10_000);
                Frame.read(server.getInputStream()).expect(MessageType.HELLO).write(real.getOutputStream());
                Frame.read(real.getInputStream()).expect(MessageType.CHALLENGE).write(server.getOutputStream());
                Frame.read(server.getInputStream()).expect(MessageType.REGISTER).write(real.getOutputStream());
                Frame answer = Frame.read(real.getInputStream());
                answers.add(answer);
                answer.write(server.getOutputStream());
            } catch (IOException e) {
                // the next server, or closed
            }
        }
    }
}
