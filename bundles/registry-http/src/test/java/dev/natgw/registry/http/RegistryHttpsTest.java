package dev.natgw.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.registry.RegistryFaceInfo;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.testing.InMemoryConfigAdmin;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ops4j.pax.web.service.jetty.internal.PaxWebSecureConnector;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;

/**
 * HTTPS for the registry face by default beyond loopback (issue 15, part 4): {@link RegistryHttpsManager} turns Pax
 * Web's HTTPS connector on through ConfigurationAdmin with a key store it generates once, owner-only; Pax Web's own
 * code reads those settings and makes its connector from them; a client pinned to the fingerprint the appliance
 * shows reaches the face over it, a wrong pin is refused, and loopback-only or an operator's own choice is left alone.
 */
class RegistryHttpsTest {
    @TempDir
    Path dir;

    private final InMemoryConfigAdmin cm = new InMemoryConfigAdmin();

    private Path store() {
        return dir.resolve("data").resolve("natgw").resolve("registry-https.p12");
    }

    private void paxWeb(Map<String, String> props) throws IOException {
        cm.getConfiguration(PaxWebHttps.PID).update(new Hashtable<>(props));
    }

    private Map<String, Object> paxWeb() {
        return cm.properties(PaxWebHttps.PID);
    }

    private static Dictionary<String, Object> dictionary(Map<String, Object> props) {
        return new Hashtable<>(props);
    }

    /** "sha256:" and the hex SHA-256 of the store's only certificate, worked out here from the file. */
    private static String fingerprintOf(Path file, String type, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password.toCharArray());
        }
        String alias = Collections.list(ks.aliases()).getFirst();
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ks.getCertificate(
                alias).getEncoded()));
    }

    /** A reference to the ConfigurationAdmin that sent an event; the manager never reads it. */
    @SuppressWarnings("unchecked")
    private static ServiceReference<ConfigurationAdmin> configAdminReference() {
        return (ServiceReference<ConfigurationAdmin>) Proxy.newProxyInstance(RegistryHttpsTest.class.getClassLoader(),
                new Class<?>[]{ServiceReference.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void beyondLoopbackHttpsIsTurnedOnWithAKeyMadeOnceAndKept() throws Exception {
        paxWeb(Map.of(PaxWebHttps.LISTENING_ADDRESSES, "127.0.0.1,198.18.0.1", "org.osgi.service.http.port",
                "8181"));
        RegistryHttpsManager first = new RegistryHttpsManager(cm, store());

        Map<String, Object> props = paxWeb();
        assertThat(props).containsEntry(PaxWebHttps.SECURE_ENABLED, "true").containsEntry(PaxWebHttps.SECURE_PORT,
                "8443").containsEntry(PaxWebHttps.KEYSTORE, store().toAbsolutePath().toString()).containsEntry(
                        PaxWebHttps.KEYSTORE_TYPE, "PKCS12")
                .containsEntry(PaxWebHttps.LISTENING_ADDRESSES,
                        "127.0.0.1,198.18.0.1")
                .containsEntry("org.osgi.service.http.port", "8181");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store().getParent()))).isEqualTo(
                "rwx------");
        String fingerprint = fingerprintOf(store(), "PKCS12", (String) props.get(PaxWebHttps.KEYSTORE_PASSWORD));
        assertThat(first.info()).isEqualTo(new RegistryFaceInfo(java.util.List.of("127.0.0.1", "198.18.0.1"), true,
                true, 8443, fingerprint, true));

        // Pax Web's update comes back as an event: nothing more to change
        byte[] kept = Files.readAllBytes(store());
        first.configurationEvent(new ConfigurationEvent(configAdminReference(), ConfigurationEvent.CM_UPDATED, null,
                PaxWebHttps.PID));
        assertThat(paxWeb()).isEqualTo(props);

        // the next start reuses the key
        RegistryHttpsManager restarted = new RegistryHttpsManager(cm, store());
        assertThat(restarted.info().fingerprint()).isEqualTo(fingerprint);
        assertThat(Files.readAllBytes(store())).isEqualTo(kept);
        assertThat(paxWeb()).isEqualTo(props);
    }

    @Test
    void aPinnedClientReachesTheFaceOnPaxWebsHttpsConnector() throws Exception {
        // port 0: the test's connector takes a free port; natgw keeps a port that is configured
        paxWeb(Map.of(PaxWebHttps.LISTENING_ADDRESSES, "0.0.0.0", PaxWebHttps.SECURE_PORT, "0"));
        RegistryHttpsManager https = new RegistryHttpsManager(cm, store());
        assertThat(paxWeb()).containsEntry(PaxWebHttps.SECURE_PORT, "0");
        String fingerprint = https.info().fingerprint();

        RegistryManager registry = TestRegistry.start();
        try (JettyHttpService http = new JettyHttpService()) {
            http.addConnector(server -> PaxWebSecureConnector.of(server, dictionary(paxWeb()), "127.0.0.1"));
            new RegistryHttpManager(http, registry, ConfigProxy.of(RegistryHttpConfig.class, Map.of()));
            http.start();
            String base = "https://127.0.0.1:" + http.port(1) + RegistryServlet.BASE;

            Identity server = Identity.generate();
            RegistryClient pinned = new RegistryClient(URI.create(base + "#" + fingerprint), Duration.ofSeconds(10));
            pinned.announce(server, "natgw+tls://198.19.0.1:7000#" + "sha256:" + "ab".repeat(32), Duration
                    .ofSeconds(60));
            assertThat(pinned.lookup(server.key(), 8)).containsExactly("natgw+tls://198.19.0.1:7000#sha256:" + "ab"
                    .repeat(32));

            String wrong = "sha256:" + "cd".repeat(32);
            RegistryClient misled = new RegistryClient(URI.create(base + "#" + wrong), Duration.ofSeconds(10));
            assertThatThrownBy(() -> misled.lookup(server.key(), 8)).isInstanceOf(IOException.class)
                    .hasMessageContaining("the registry's certificate is " + fingerprint + ", not the pinned "
                            + wrong);
            RegistryClient trustStore = new RegistryClient(URI.create(base), Duration.ofSeconds(10));
            assertThatThrownBy(() -> trustStore.lookup(server.key(), 8)).isInstanceOf(IOException.class)
                    .hasMessageContaining("TLS refused");
        } finally {
            TestRegistry.stop(registry);
        }
    }

    @Test
    void loopbackOnlyAndTheOperatorsOwnChoiceAreLeftAlone() throws Exception {
        Map<String, String> loopback = Map.of(PaxWebHttps.LISTENING_ADDRESSES, "127.0.0.1, ::1,localhost");
        paxWeb(loopback);
        RegistryFaceInfo info = new RegistryHttpsManager(cm, store()).info();
        assertThat(paxWeb()).isEqualTo(Map.<String, Object>copyOf(loopback));
        assertThat(info.https()).isFalse();
        assertThat(info.beyondLoopback()).isFalse();
        assertThat(store()).doesNotExist();

        Map<String, String> refused = Map.of(PaxWebHttps.LISTENING_ADDRESSES, "198.18.0.1",
                PaxWebHttps.SECURE_ENABLED, "false");
        paxWeb(refused);
        info = new RegistryHttpsManager(cm, store()).info();
        assertThat(paxWeb()).isEqualTo(Map.<String, Object>copyOf(refused));
        assertThat(info.https()).isFalse();
        assertThat(info.beyondLoopback()).isTrue();
        assertThat(store()).doesNotExist();

        Path own = dir.resolve("operator.p12");
        dev.natgw.traversal.protocol.GeneratedKeyStore.ensure(own, "operator");
        Map<String, String> operator = Map.of(PaxWebHttps.LISTENING_ADDRESSES, "198.18.0.1",
                PaxWebHttps.SECURE_ENABLED, "true", PaxWebHttps.SECURE_PORT, "9443", PaxWebHttps.KEYSTORE, own
                        .toString(),
                PaxWebHttps.KEYSTORE_TYPE, "PKCS12", PaxWebHttps.KEYSTORE_PASSWORD,
                "natgw-generated");
        paxWeb(operator);
        info = new RegistryHttpsManager(cm, store()).info();
        assertThat(paxWeb()).isEqualTo(Map.<String, Object>copyOf(operator));
        assertThat(info).isEqualTo(new RegistryFaceInfo(java.util.List.of("198.18.0.1"), true, true, 9443,
                fingerprintOf(own, "PKCS12", "natgw-generated"), false));
        assertThat(store()).doesNotExist();
    }

    @Test
    void aStoreThatCannotBeMadeLeavesPaxWebAsItWas() throws Exception {
        // the data directory is a file: no key store can be made under it
        Files.writeString(dir.resolve("data"), "not a directory");
        Map<String, String> open = Map.of(PaxWebHttps.LISTENING_ADDRESSES, "198.18.0.1");
        paxWeb(open);
        RegistryFaceInfo info = new RegistryHttpsManager(cm, store()).info();
        assertThat(paxWeb()).isEqualTo(Map.<String, Object>copyOf(open));
        assertThat(info.https()).isFalse();
        assertThat(info.describe()).isEqualTo("plain HTTP on 198.18.0.1, refused beyond loopback: no HTTPS"
                + " connector (docs/manual/registry.md)");
    }

    @Test
    void withoutAnyConfigurationPaxWebListensEverywhereSoHttpsIsTurnedOn() {
        RegistryFaceInfo info = new RegistryHttpsManager(cm, store()).info();
        assertThat(paxWeb()).containsEntry(PaxWebHttps.SECURE_ENABLED, "true").containsEntry(
                PaxWebHttps.SECURE_PORT, "8443");
        assertThat(info.addresses()).containsExactly("0.0.0.0");
        assertThat(info.https()).isTrue();
        assertThat(info.fingerprint()).matches("sha256:[0-9a-f]{64}");
    }
}
