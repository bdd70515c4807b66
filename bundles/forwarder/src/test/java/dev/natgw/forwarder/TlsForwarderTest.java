package dev.natgw.forwarder;

import java.nio.charset.StandardCharsets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarder with TLS (JSSE) on: a key store made by the JDK's keytool, the library trusting its certificate. */
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

    @Test
    @Disabled("known defect, open: through a natgw+tls forwarder an end-to-end (natgw-e2e/1) echo of 300,000 bytes"
            + " comes back cut short with a clean end of stream in about 1 run in 3 (180,037 and 212,771 bytes seen;"
            + " the client's writes do not fail); plain forwarders and direct paths are not affected. Reproduce with"
            + " ./mvnw -B -o verify -pl bundles/forwarder -Dtest=TlsForwarderTest run a few times.")
    void serverAndClientAreRelayedOverTls() throws Exception {
        Path keystore = KeyStores.create(dir, "forwarder");
        fwd = Fixture.forwarder(registry, Map.of("tls.enabled", true, "tls.keystore", keystore.toString(),
                "tls.keystore.password", KeyStores.PASSWORD));
        assertThat(fwd.info().tls()).isTrue();
        Endpoint e = new Endpoint(Endpoint.FORWARDER_TLS, "127.0.0.1", fwd.boundAddress().getPort());
        TraversalOptions o = TraversalOptions.builder().forwarder(e).direct(false).tls(KeyStores.trusting(keystore))
                .credential(
                        Fixture.credential(fwd))
                .build();
        Identity id = Identity.generate();
        try (TraversalServer server = TraversalServer.open(id, o)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            Echo.serve(server);
            try (Socket s = new TraversalClient(o).connect(id.key())) {
                assertThat(s).isInstanceOf(javax.net.ssl.SSLSocket.class);
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
    void aMissingKeyStoreIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Fixture.forwarder(registry, Map.of("tls.enabled", true))).hasMessageContaining(
                "tls.keystore");
        assertThatThrownBy(() -> Fixture.forwarder(registry, Map.of("tls.enabled", true, "tls.keystore", dir.resolve(
                "none.p12").toString()))).hasMessageContaining("tls.keystore");
    }
}
