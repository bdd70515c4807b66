package dev.natgw.traversal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider in the JVM's list: JSSE signs and checks through it, other keys and algorithms stay the JDK's. */
class Ed25519ProviderTest {

    @TempDir
    Path dir;

    @AfterEach
    void remove() {
        Ed25519Provider.uninstall();
    }

    @Test
    void aTls13HandshakeWithAnEd25519CertificateSignsAndChecksThroughIt() throws Exception {
        Path file = dir.resolve("tls.p12");
        GeneratedKeyStore.ensure(file, "natgw");
        KeyStore ks = GeneratedKeyStore.load(file, "PKCS12", GeneratedKeyStore.PASSWORD.toCharArray());
        X509Certificate certificate = (X509Certificate) GeneratedKeyStore.certificate(ks, null);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("natgw", certificate);

        assertThat(Ed25519Provider.install()).isTrue();
        assertThat(Ed25519Provider.install()).as("idempotent").isFalse();
        long before = Ed25519Provider.uses();

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, GeneratedKeyStore.PASSWORD.toCharArray());
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext client = SSLContext.getInstance("TLSv1.3");
        client.init(null, tmf.getTrustManagers(), null);

        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    InputStream in = s.getInputStream();
                    int b = in.read();
                    s.getOutputStream().write(b + 1);
                    s.getOutputStream().flush();
                    return b;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(41);
                out.flush();
                assertThat(s.getInputStream().read()).isEqualTo(42);
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
            assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo(41);
        }
        // the server's CertificateVerify signed and the client's check of it, an X25519 agreement on each side
        assertThat(Ed25519Provider.uses() - before).isGreaterThanOrEqualTo(4);
    }

    @Test
    void otherKeysAndAlgorithmsStayTheJdks() throws Exception {
        Ed25519Provider.install();
        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
        Signature s = Signature.getInstance("Ed448");
        s.initSign(ed448.getPrivate());
        s.update(new byte[3]);
        byte[] signature = s.sign();
        assertThat(s.getProvider().getName()).isNotEqualTo(Ed25519Provider.NAME);
        assertThat(signature).hasSize(114);

        // an Ed25519 key through the generic name: not ours, the JDK's
        KeyPair ed25519 = Keys.generate();
        Signature generic = Signature.getInstance("EdDSA");
        generic.initSign(ed25519.getPrivate());
        generic.update(new byte[3]);
        assertThat(generic.getProvider().getName()).isNotEqualTo(Ed25519Provider.NAME);
        // by its own name: ours, and the same signature (Ed25519 is deterministic)
        Signature named = Signature.getInstance("Ed25519");
        named.initSign(ed25519.getPrivate());
        named.update(new byte[3]);
        assertThat(named.getProvider().getName()).isEqualTo(Ed25519Provider.NAME);
        assertThat(named.sign()).isEqualTo(generic.sign());
    }

    @Test
    void theSystemPropertyKeepsTheJdksProviderAndUninstallRemovesIt() {
        System.setProperty(Ed25519Provider.DISABLE_PROPERTY, "true");
        try {
            assertThat(Ed25519Provider.install()).isFalse();
            assertThat(Ed25519Provider.installed()).isFalse();
        } finally {
            System.clearProperty(Ed25519Provider.DISABLE_PROPERTY);
        }
        assertThat(Ed25519Provider.install()).isTrue();
        Ed25519Provider.uninstall();
        assertThat(Ed25519Provider.installed()).isFalse();
    }
}
