package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.forwarder.internal.ForwarderSettings;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.PeerConnection;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder with TLS (JSSE) on: with a key store made by the JDK's keytool, the library trusting its certificate;
 * and by default (issue 15, part 4): the mode each listen address gets, the refusal of plain TCP beyond loopback, and,
 * with no key store, a key and certificate generated at the first start, owner-only, reused after a restart, announced
 * by fingerprint, and enough for a server and a client that were given nothing but the announcement.
 */
class TlsForwarderTest {

    private final RegistryManager registry = Fixture.registry();
    private ForwarderManager fwd;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (fwd != null) {
            fwd.deactivate();
        }
        TestRegistry.stop(registry);
    }

    /** {@return options that trust a natgw+tls forwarder, started here with a key store made by keytool} */
    private TraversalOptions tlsForwarder() throws Exception {
        Path keystore = KeyStores.create(dir, "forwarder");
        fwd = Fixture.forwarder(registry, Map.of("tls.enabled", true, "tls.keystore", keystore.toString(),
                "tls.keystore.password", KeyStores.PASSWORD));
        assertThat(fwd.info().tls()).isTrue();
        Endpoint e = new Endpoint(Endpoint.FORWARDER_TLS, "127.0.0.1", fwd.boundAddress().getPort());
        return TraversalOptions.builder().forwarder(e).direct(false).tls(KeyStores.trusting(keystore)).credential(
                Fixture.credential(fwd)).build();
    }

    @Test
    void serverAndClientAreRelayedOverTls() throws Exception {
        TraversalOptions o = tlsForwarder();
        Endpoint e = o.forwarders().get(0);
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            Echo.serve(server);
            PeerConnection c = new TraversalClient(o).open(id.key());
            try (Socket s = c.socket()) {
                // the end-to-end channel inside the forwarder's TLS: the server proved the key end to end
                assertThat(c.peerKey()).isEqualTo(id.key());
                Echo.roundTrip(s, 300_000, 5);
            }
        }
        // a client that does not trust the certificate is refused by its own TLS stack
        TraversalOptions untrusting = TraversalOptions.builder().forwarder(e).build();
        assertThatThrownBy(() -> new TraversalClient(untrusting).connect(id.key())).isInstanceOf(IOException.class);
        // plain TCP to the TLS port gets nowhere and is closed at the handshake deadline
        try (Socket plain = Fixture.open(fwd)) {
            Fixture.send(plain, new dev.natgw.traversal.protocol.Payload.Writer().string(id.key()).frame(
                    dev.natgw.traversal.protocol.MessageType.CONNECT));
            assertThatThrownBy(() -> dev.natgw.traversal.protocol.Frame.read(plain.getInputStream())).isInstanceOf(
                    IOException.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fwd.load().connections() == 0);
    }

    @Test
    void manyEndToEndEchoesThroughTheTlsForwarderAllEndWhole() throws Exception {
        // each echo half-closes and the server answers to the end and closes: the forwarder's close_notify is the
        // last byte on the server's data connection, which a close without draining it turned into a reset that ate
        // the echo's tail (5 to 8 of these 16 echoes were cut short in each run before the fix)
        TraversalOptions o = tlsForwarder();
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            Echo.serve(server);
            TraversalClient client = new TraversalClient(o);
            for (int i = 0; i < 16; i++) {
                try (Socket s = client.connect(id.key())) {
                    Echo.roundTrip(s, 300_000, i);
                } catch (AssertionError failed) {
                    throw new AssertionError("echo " + i + ": " + failed.getMessage(), failed);
                }
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fwd.load().connections() == 0);
    }

    @Test
    void aKeyStoreThatCannotBeReadIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Fixture.forwarder(registry, Map.of("tls", "on", "tls.keystore", dir.resolve(
                "none.p12").toString()))).hasMessageContaining("tls.keystore");
    }

    private static ForwarderSettings settings(Object... kv) {
        Map<String, Object> v = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            v.put((String) kv[i], kv[i + 1]);
        }
        return ForwarderSettings.of(Configs.forwarder(v));
    }

    @Test
    void tlsIsOnBeyondLoopbackAndPlainTcpThereIsRefusedUnlessAllowed() {
        // no socket is bound: the settings decide
        assertThat(settings("listen.host", "127.0.0.1").tls()).isFalse();
        assertThat(settings("listen.host", "198.19.0.1").tls()).isTrue();
        assertThat(settings("listen.host", "0.0.0.0", "announce.address", "198.19.0.1:7000").tls()).isTrue();
        assertThat(settings("listen.host", "127.0.0.1", "tls", "on").tls()).isTrue();
        assertThat(settings("listen.host", "127.0.0.1", "tls.enabled", true).tls()).isTrue();
        assertThatThrownBy(() -> settings("listen.host", "198.19.0.1", "tls", "off")).hasMessageContaining(
                "not a loopback address").hasMessageContaining("allow.plaintext");
        assertThatThrownBy(() -> settings("listen.host", "0.0.0.0", "announce.address", "198.19.0.1:7000", "tls",
                "off")).hasMessageContaining("allow.plaintext");
        ForwarderSettings allowed = settings("listen.host", "198.19.0.1", "tls", "off", "allow.plaintext", true);
        assertThat(allowed.tls()).isFalse();
        assertThat(allowed.plaintextBeyondLoopback()).isTrue();
        assertThat(settings("listen.host", "127.0.0.1", "tls", "off").plaintextBeyondLoopback()).isFalse();
        assertThatThrownBy(() -> settings("tls", "maybe")).hasMessageContaining("tls must be auto, on or off");
    }

    @Test
    void aGeneratedCertificateIsKeptAnnouncedByFingerprintAndEnoughToServe() throws Exception {
        Path generated = dir.resolve("natgw").resolve("forwarder-tls.p12");
        Map<String, Object> config = Map.of("tls", "on", "tls.generated", generated.toString(), "announce", true);
        fwd = Fixture.forwarder(registry, config);
        String fingerprint = fwd.info().fingerprint();
        assertThat(fingerprint).matches("sha256:[0-9a-f]{64}");
        assertThat(Files.getPosixFilePermissions(generated)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(generated.getParent())).isEqualTo(PosixFilePermissions.fromString(
                "rwx------"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fwd.info().announcedAs() != null);
        String announced = fwd.info().announcedAs();
        assertThat(announced).isEqualTo("natgw+tls://127.0.0.1:" + fwd.boundAddress().getPort() + "#"
                + fingerprint);

        // a server and a client given only the announced value: no trust store, the fingerprint is the trust (their
        // TLS accepts no other certificate, so registering proves the handshake showed the one it names)
        Endpoint pinned = Endpoint.parse(announced);
        TraversalOptions o = TraversalOptions.builder().forwarder(pinned).direct(false).credential(Fixture
                .credential()).build();
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            Echo.serve(server);
            try (Socket s = new TraversalClient(o).connect(id.key())) {
                Echo.roundTrip(s, 2_000, 3);
            }
            // a pin of another certificate is refused by the connecting side's own TLS
            Endpoint wrong = new Endpoint(Endpoint.FORWARDER_TLS, "127.0.0.1", pinned.port(), "sha256:" + "0"
                    .repeat(64));
            TraversalOptions misled = TraversalOptions.builder().forwarder(wrong).build();
            assertThatThrownBy(() -> new TraversalClient(misled).connect(id.key())).isInstanceOf(IOException.class)
                    .hasMessageContaining("not the announced");
        }

        // a restart keeps the key: same fingerprint, same file
        fwd.deactivate();
        fwd = Fixture.forwarder(registry, config);
        assertThat(fwd.info().fingerprint()).isEqualTo(fingerprint);
        assertThat(ForwarderIdentity.text(ForwarderIdentity.none())).isNotEqualTo(fingerprint);
    }
}
