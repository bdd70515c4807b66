package dev.natgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.registry.RegistryEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.security.KeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ZooKeeper backend over TLS to a real server's secure client port (Netty on both sides), with certificates
 * made by the JDK's keytool: the appliance checks the ensemble's certificate, and with {@code zookeeper.auth=x509}
 * its own certificate is the identity that alone may write its znodes. The server takes its TLS settings from
 * JVM-wide system properties (ZooKeeper's way); this class sets them for its own server and clears them after.
 */
class ZooKeeperTlsTest {

    private static final String PASSWORD = "tls-store-pw";
    /** The ZooKeeper system properties the server's configuration sets; cleared after. */
    private static final List<String> SERVER_PROPERTIES = List.of("zookeeper.serverCnxnFactory",
            "zookeeper.ssl.keyStore.location", "zookeeper.ssl.keyStore.password", "zookeeper.ssl.trustStore.location",
            "zookeeper.ssl.trustStore.password", "zookeeper.authProvider.x509", "zookeeper.ssl.clientAuth",
            "zookeeper.secureClientPort", "zookeeper.ssl.hostnameVerification");

    @TempDir
    static Path dir;
    private static TestingServer server;
    private static int securePort;
    private ExecutorService events;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        // one keytool per key pair, side by side (each is a JVM start); the trust stores are written in-process
        List<Process> keytools = new ArrayList<>();
        for (String name : List.of("zookeeper", "appliance", "intruder", "stranger")) {
            keytools.add(keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", store(name), "-storepass", PASSWORD, "-keypass", PASSWORD));
        }
        for (Process p : keytools) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("keytool: %s", out).isZero();
        }
        trust("appliance-trust", "zookeeper");
        trust("stranger-trust", "stranger");
        trust("server-trust", "appliance", "intruder");

        securePort = InstanceSpec.getRandomPort();
        Map<String, Object> config = new HashMap<>();
        config.put("secureClientPort", Integer.toString(securePort));
        config.put("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
        config.put("ssl.keyStore.location", store("zookeeper"));
        config.put("ssl.keyStore.password", PASSWORD);
        config.put("ssl.trustStore.location", store("server-trust"));
        config.put("ssl.trustStore.password", PASSWORD);
        config.put("ssl.clientAuth", "need");
        config.put("authProvider.x509", "org.apache.zookeeper.server.auth.X509AuthenticationProvider");
        ProviderRegistry.reset();
        server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, config, "127.0.0.1"), true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
        SERVER_PROPERTIES.forEach(System::clearProperty);
        ProviderRegistry.reset();
    }

    @BeforeEach
    void thread() {
        events = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        events.shutdown();
        assertThat(events.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void overTlsTheAppliancesCertificateAloneMayWriteItsZnodes() throws Exception {
        ZooKeeperBackend appliance = backend("/natgw/tls", tls("appliance-trust", "appliance"),
                ZooKeeperSettings.AUTH_X509);
        RegistryEntry entry = appliance.announce("svc", "198.19.0.7:7000", Duration.ofSeconds(30));
        String path = "/natgw/tls/" + ZnodeNames.bucket("svc") + "/svc/" + ZnodeNames.valueId("198.19.0.7:7000");
        assertThat(appliance.lookup("svc", 10)).containsExactly(entry);

        // another certificate the ensemble trusts, over the same TLS port, and a client on the plaintext port
        CuratorFramework intruder = client("127.0.0.1:" + securePort, tls("appliance-trust", "intruder"));
        CuratorFramework plaintext = client(server.getConnectString(), ZooKeeperTls.OFF);
        List<ACL> acl = intruder.getACL().forPath(path);
        assertThat(acl).extracting(a -> a.getId().getScheme() + ":" + a.getId().getId())
                .containsExactlyInAnyOrder("x509:CN=appliance", "world:anyone");
        assertThat(new String(plaintext.getData().forPath(path), StandardCharsets.UTF_8)).contains("198.19.0.7:7000");
        for (CuratorFramework attacker : List.of(intruder, plaintext)) {
            ZnodeAttacks.assertCannotWrite(attacker, path, "/natgw/tls/evil");
        }
        assertThat(appliance.withdraw("svc", "198.19.0.7:7000")).isTrue();
        assertThat(appliance.lookup("svc", 10)).isEmpty();
    }

    @Test
    void anEnsembleWhoseCertificateIsNotTrustedGetsNothing() throws Exception {
        // the appliance trusts only a stranger's certificate: its handshake fails; and a client without a
        // certificate is refused by the ensemble's ssl.clientAuth=need. Both try at once (each gives up only after
        // Curator's retries), and neither writes anything.
        ZooKeeperBackend misled = backend(refused("/natgw/untrusted", tls("stranger-trust", "appliance"),
                ZooKeeperSettings.AUTH_X509));
        ZooKeeperBackend anonymous = backend(refused("/natgw/nocert", tls("appliance-trust", null),
                ZooKeeperSettings.AUTH_NONE));
        CompletableFuture<RegistryEntry> untrusted = CompletableFuture.supplyAsync(() -> misled.announce("svc",
                "198.19.0.8:7000", Duration.ofSeconds(30)));
        CompletableFuture<RegistryEntry> uncertified = CompletableFuture.supplyAsync(() -> anonymous.announce("svc",
                "198.19.0.9:7000", Duration.ofSeconds(30)));
        assertThatThrownBy(untrusted::join).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:" + securePort);
        assertThatThrownBy(uncertified::join).hasCauseInstanceOf(IllegalStateException.class);
        CuratorFramework reader = client(server.getConnectString(), ZooKeeperTls.OFF);
        assertThat(reader.checkExists().forPath("/natgw/untrusted")).isNull();
        assertThat(reader.checkExists().forPath("/natgw/nocert")).isNull();
    }

    @Test
    void theCredentialsNeverShowInTheSettings() {
        ZooKeeperSettings settings = settings("/natgw/x", tls("appliance-trust", "appliance"),
                ZooKeeperSettings.AUTH_X509);
        assertThat(settings.toString()).contains("tls[", "appliance-trust.p12").doesNotContain(PASSWORD);
        assertThat(ZooKeeperTls.OFF.toString()).isEqualTo("plaintext");
    }

    private ZooKeeperBackend backend(String root, ZooKeeperTls tls, String auth) {
        return backend(settings(root, tls, auth));
    }

    private ZooKeeperBackend backend(ZooKeeperSettings settings) {
        ZooKeeperBackend backend = new ZooKeeperBackend("appliance", new MutableClock(Instant.now()), settings,
                events, null, 10, 10);
        open.add(backend);
        return backend;
    }

    private static ZooKeeperSettings settings(String root, ZooKeeperTls tls, String auth) {
        return new ZooKeeperSettings("127.0.0.1:" + securePort, root, Duration.ofSeconds(10), Duration.ofSeconds(3))
                .withTls(tls, auth);
    }

    /** Settings for a connection that never comes up: each attempt gives up after a second. */
    private static ZooKeeperSettings refused(String root, ZooKeeperTls tls, String auth) {
        return new ZooKeeperSettings("127.0.0.1:" + securePort, root, Duration.ofSeconds(10), Duration.ofSeconds(1))
                .withTls(tls, auth);
    }

    private static ZooKeeperTls tls(String trust, String key) {
        return new ZooKeeperTls(true, store(trust), PASSWORD, key == null ? "" : store(key), key == null
                ? ""
                : PASSWORD, true);
    }

    private CuratorFramework client(String connect, ZooKeeperTls tls) throws InterruptedException {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        tls.apply(config);
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connect)
                .retryPolicy(new RetryOneTime(100)).zkClientConfig(config).build();
        open.add(client);
        client.start();
        assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    private static String store(String name) {
        return dir.resolve(name + ".p12").toString();
    }

    /** Writes a PKCS#12 trust store of the certificates of the named key stores. */
    private static void trust(String store, String... certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (String c : certificates) {
            KeyStore keys = KeyStore.getInstance(Path.of(store(c)).toFile(), PASSWORD.toCharArray());
            trust.setCertificateEntry(c, keys.getCertificate(c));
        }
        try (OutputStream out = Files.newOutputStream(Path.of(store(store)))) {
            trust.store(out, PASSWORD.toCharArray());
        }
    }

    private static Process keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
