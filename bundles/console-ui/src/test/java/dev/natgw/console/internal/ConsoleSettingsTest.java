package dev.natgw.console.internal;

import java.nio.charset.StandardCharsets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.console.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ConsoleSettingsTest {

    @Test
    void defaultsAreLoopbackWithoutTls() {
        ConsoleSettings s = ConsoleSettings.of(TestConfig.of());
        assertThat(s.bindAddress().isLoopbackAddress()).isTrue();
        assertThat(s.port()).isEqualTo(8182);
        assertThat(s.tls()).isFalse();
        assertThat(s.realm()).isEqualTo("karaf");
        assertThat(s.roles()).containsExactly("admin", "manager", "viewer");
        assertThat(s.metricsAuth()).isFalse();
        assertThat(s.maxSessions()).isEqualTo(64);
        assertThat(s.maxSessionsPerSource()).isEqualTo(20);
        assertThat(s.sessionLoginTimeoutSeconds()).isEqualTo(300);
        assertThat(s.sessionRecheckSeconds()).isEqualTo(10);
    }

    @Test
    void metricsNeedALoginWheneverTheConsoleListensBeyondLoopback() {
        assertThat(ConsoleSettings.of(TestConfig.of("bind_address", "0.0.0.0")).metricsAuth()).isTrue();
        assertThat(ConsoleSettings.of(TestConfig.of("bind_address", "::")).metricsAuth()).isTrue();
        assertThat(ConsoleSettings.of(TestConfig.of("bind_address", "198.18.0.1")).metricsAuth()).isTrue();
        assertThat(ConsoleSettings.of(TestConfig.of("bind_address", "127.0.0.2")).metricsAuth()).isFalse();
        assertThat(ConsoleSettings.of(TestConfig.of("bind_address", "::1")).metricsAuth()).isFalse();
        assertThat(ConsoleSettings.of(TestConfig.of("metrics_auth", true)).metricsAuth()).isTrue();
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("port", 0))).hasMessageStartingWith("port ");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("port", 70000))).hasMessageStartingWith("port ");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("bind_address", "localhost")))
                .hasMessageStartingWith("bind.address");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("bind_address", "300.1.1.1")))
                .hasMessageStartingWith("bind.address");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("tls_enabled", true)))
                .hasMessageStartingWith("tls.keystore.path");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("tls_enabled", true, "tls_keystore_path",
                "/nonexistent/ks.p12"))).hasMessageStartingWith("tls.keystore.path");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("roles", " , "))).hasMessageStartingWith("roles");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("realm", ""))).hasMessageStartingWith("realm");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("session_timeout", 0)))
                .hasMessageStartingWith("session.timeout");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("sessions_grid_max", 5)))
                .hasMessageStartingWith("sessions.grid.max");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("login_max_failures", 0)))
                .hasMessageStartingWith("login.max.failures");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("login_lockout", 0)))
                .hasMessageStartingWith("login.lockout");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("login_tracked_max", 10)))
                .hasMessageStartingWith("login.tracked.max");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("session_login_timeout", 5)))
                .hasMessageStartingWith("session.login.timeout");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("max_sessions", 1)))
                .hasMessageStartingWith("max.sessions ");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("max_sessions", 10, "max_sessions_per_source", 11)))
                .hasMessageStartingWith("max.sessions.per.source");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("max_sessions_per_source", 0)))
                .hasMessageStartingWith("max.sessions.per.source");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("session_recheck", 0)))
                .hasMessageStartingWith("session.recheck");
        ConsoleSettings defaults = ConsoleSettings.of(TestConfig.of());
        assertThat(defaults.loginMaxFailures()).isEqualTo(5);
        assertThat(defaults.loginLockoutSeconds()).isEqualTo(60);
        assertThat(defaults.loginTrackedMax()).isEqualTo(10_000);
    }

    @Test
    void tlsKeyStoreIsOpenedToCheckThePassword(@TempDir Path dir) throws Exception {
        Path ks = keystore(dir, "changeit1");
        ConsoleSettings ok = ConsoleSettings.of(TestConfig.of("tls_enabled", true, "tls_keystore_path", ks.toString(),
                "tls_keystore_password", "changeit1"));
        assertThat(ok.tls()).isTrue();
        assertThat(ok.toString()).doesNotContain("changeit1");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("tls_enabled", true, "tls_keystore_path",
                ks.toString(), "tls_keystore_password", "wrong"))).hasMessageContaining("tls.keystore.password");
        assertThatThrownBy(() -> ConsoleSettings.of(TestConfig.of("tls_enabled", true, "tls_keystore_path",
                ks.toString(), "tls_keystore_password", "changeit1", "tls_keystore_type", "PEM")))
                .hasMessageStartingWith("tls.keystore.type");
    }

    /** A PKCS12 key store made by the JDK's keytool, as an operator would make one. */
    public static Path keystore(Path dir, String password) throws Exception {
        Path ks = dir.resolve("console.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "console", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                ks.toString(), "-storepass",
                password, "-keypass", password).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.size(ks)).isPositive();
        return ks;
    }

    static List<String> roles() {
        return List.of("admin");
    }
}
