package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.GeneratedKeyStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry client pinned to the face's certificate ({@code https://…#sha256:HEX}), over real TLS: the JDK's HTTPS
 * server on 127.0.0.1 presents a generated, self-signed Ed25519 certificate that names no host. The right pin is
 * answered; a wrong one, or no pin (the JVM's trust store), is refused before any request is sent, with the
 * fingerprints in the error; a pin is refused on plain HTTP or when malformed.
 */
class RegistryClientPinTest {
    private static final String LOOKUP = "{\"key\":\"k\",\"entries\":[{\"value\":\"natgw://198.19.0.1:7000\","
            + "\"expires\":\"2026-12-07T20:00:00Z\"}]}";

    @TempDir
    Path dir;

    private HttpsServer server;
    private String fingerprint;
    private int requests;

    @BeforeEach
    void serve() throws Exception {
        Path file = dir.resolve("registry-https.p12");
        GeneratedKeyStore.ensure(file, "natgw-registry");
        char[] password = GeneratedKeyStore.PASSWORD.toCharArray();
        KeyStore ks = GeneratedKeyStore.load(file, "PKCS12", password);
        fingerprint = ForwarderIdentity.text(ForwarderIdentity.of(GeneratedKeyStore.certificate(ks, null)));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/natgw/registry/v1/", exchange -> {
            synchronized (this) {
                requests++;
            }
            byte[] body = LOOKUP.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base(String fragment) {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/natgw/registry/v1" + fragment);
    }

    private synchronized int requests() {
        return requests;
    }

    @Test
    void thePinnedCertificateIsTrustedAndNoOther() throws Exception {
        RegistryClient pinned = new RegistryClient(base("#" + fingerprint), Duration.ofSeconds(10));
        assertThat(pinned.lookup("k", 8)).containsExactly("natgw://198.19.0.1:7000");
        assertThat(requests()).isEqualTo(1);

        String wrong = "sha256:" + "00".repeat(32);
        RegistryClient misled = new RegistryClient(base("#" + wrong), Duration.ofSeconds(10));
        assertThatThrownBy(() -> misled.lookup("k", 8)).isInstanceOf(IOException.class).hasMessageContaining(
                "TLS refused: the registry's certificate is " + fingerprint + ", not the pinned " + wrong);

        RegistryClient unpinned = new RegistryClient(base(""), Duration.ofSeconds(10));
        assertThatThrownBy(() -> unpinned.lookup("k", 8)).isInstanceOf(IOException.class).hasMessageContaining(
                "TLS refused");
        assertThat(requests()).as("a refused handshake sends no request").isEqualTo(1);
    }

    @Test
    void aPinNeedsHttpsAndTheFingerprintsForm() {
        assertThatThrownBy(() -> new RegistryClient(URI.create("http://127.0.0.1:8181/natgw/registry/v1#"
                + fingerprint), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after an https URL");
        assertThatThrownBy(() -> new RegistryClient(base("#sha256:ABC"), Duration.ofSeconds(1))).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("64 lowercase hex digits");
    }
}
