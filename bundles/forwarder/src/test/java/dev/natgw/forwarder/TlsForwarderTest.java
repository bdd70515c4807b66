package dev.natgw.forwarder;

import java.nio.charset.StandardCharsets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.PeerConnection;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarder with TLS (JSSE) on: a key store made by the JDK's keytool, the library trusting its certificate. */
class TlsForwarderTest {

    private static final String PASSWORD = "changeit";

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

    private void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private SSLSocketFactory trusting(Path trust) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trust)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    /** {@return options that trust a natgw+tls forwarder, started here with a key store made by keytool} */
    private TraversalOptions tlsForwarder() throws Exception {
        Path keystore = dir.resolve("forwarder.p12");
        Path cert = dir.resolve("forwarder.pem");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "forwarder", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "forwarder", "-file", cert.toString(), "-keystore", keystore
                .toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "forwarder", "-file", cert.toString(), "-keystore", trust
                .toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        fwd = Fixture.forwarder(registry, Map.of("tls.enabled", true, "tls.keystore", keystore.toString(),
                "tls.keystore.password", PASSWORD));
        assertThat(fwd.info().tls()).isTrue();
        Endpoint e = new Endpoint(Endpoint.FORWARDER_TLS, "127.0.0.1", fwd.boundAddress().getPort());
        return TraversalOptions.builder().forwarder(e).direct(false).tls(trusting(trust)).credential(Fixture
                .credential(fwd)).build();
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
    void aMissingKeyStoreIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Fixture.forwarder(registry, Map.of("tls.enabled", true))).hasMessageContaining(
                "tls.keystore");
        assertThatThrownBy(() -> Fixture.forwarder(registry, Map.of("tls.enabled", true, "tls.keystore", dir.resolve(
                "none.p12").toString()))).hasMessageContaining("tls.keystore");
    }
}
