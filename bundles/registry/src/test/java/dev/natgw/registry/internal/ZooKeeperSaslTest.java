package dev.natgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.registry.RegistryEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.auth.DigestLoginModule;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper backend authenticating with SASL (DIGEST-MD5 through a JAAS login context) against a real server
 * that requires it. JAAS and ZooKeeper's provider registry are JVM-wide: this class installs them for its own server
 * and restores them after.
 */
class ZooKeeperSaslTest {

    private static final String PROVIDER_PROPERTY = "zookeeper.authProvider.sasl";
    private static final String FIPS_PROPERTY = "zookeeper.fips-mode";
    private static Configuration jaasBefore;
    private static TestingServer server;

    @BeforeAll
    static void startServer() throws Exception {
        jaasBefore = Configuration.getConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                Map<String, String> options = switch (name) {
                    // intruder is a known user of the ensemble, only not the registry's principal
                    case "Server" -> Map.of("user_natgw", "sasl-secret-3e1", "user_intruder", "own-password");
                    case "NatgwRegistry" -> Map.of("username", "natgw", "password", "sasl-secret-3e1");
                    case "Intruder" -> Map.of("username", "intruder", "password", "own-password");
                    default -> null;
                };
                return options == null
                        ? null
                        : new AppConfigurationEntry[]{new AppConfigurationEntry(
                                DigestLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED, options)};
            }
        });
        System.setProperty(PROVIDER_PROPERTY, "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
        // ZooKeeper refuses DIGEST-MD5 in its FIPS mode, on by default; Kerberos (GSSAPI) would not need this
        System.setProperty(FIPS_PROPERTY, "false");
        ProviderRegistry.reset();
        server = new TestingServer(true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
        System.clearProperty(PROVIDER_PROPERTY);
        System.clearProperty(FIPS_PROPERTY);
        ProviderRegistry.reset();
        Configuration.setConfiguration(jaasBefore);
    }

    @Test
    void saslAuthenticatedEntriesAreWritableOnlyByThatPrincipal() throws Exception {
        ExecutorService events = Executors.newSingleThreadExecutor();
        ZooKeeperSettings sasl = new ZooKeeperSettings(server.getConnectString(), "/natgw/sasl", Duration.ofSeconds(10),
                Duration.ofSeconds(5), ZooKeeperSettings.AUTH_SASL, "", "NatgwRegistry", 100, Duration.ofMinutes(5),
                ZooKeeperTls.OFF);
        ZooKeeperBackend a = new ZooKeeperBackend("appliance-a", new MutableClock(Instant.now()), sasl, events, null,
                10, 10);
        ZKClientConfig noSasl = new ZKClientConfig();
        noSasl.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        ZKClientConfig intruderSasl = new ZKClientConfig();
        intruderSasl.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, "Intruder");
        try (CuratorFramework anonymous = client(noSasl); CuratorFramework intruder = client(intruderSasl)) {
            RegistryEntry entry = a.announce("fwd", "198.19.0.1:7000", Duration.ofSeconds(30));
            String path = "/natgw/sasl/" + ZnodeNames.bucket("fwd") + "/fwd/"
                    + ZnodeNames.valueId("198.19.0.1:7000");

            List<ACL> acl = anonymous.getACL().forPath(path);
            assertThat(acl).extracting(x -> x.getId().getScheme() + ":" + x.getId().getId())
                    .containsExactlyInAnyOrder("sasl:natgw", "world:anyone");
            for (CuratorFramework attacker : List.of(anonymous, intruder)) {
                ZnodeAttacks.assertCannotWrite(attacker, path, "/natgw/sasl/evil");
            }
            assertThat(a.lookup("fwd", 10)).containsExactly(entry);
            assertThat(a.withdraw("fwd", "198.19.0.1:7000")).isTrue();
        } finally {
            a.close();
            events.shutdown();
            assertThat(events.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static CuratorFramework client(ZKClientConfig config) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100)).zkClientConfig(config).build();
        client.start();
        assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }
}
