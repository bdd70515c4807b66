package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.forwarder.Echo;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-contained launcher the build makes, {@code target/natgw-traversal/bin/natgw-traversal}, run as a user
 * without JDK 25 runs it: with Debian's default Java 17 as the java on PATH and as JAVA_HOME, and with no java at all
 * on PATH. expose, connect and forward, in processes of their own, against a real forwarder and the registry's HTTP
 * face on loopback.
 */
class LauncherTest extends CliTestBase {

    private static final Path LAUNCHER = Path.of(System.getProperty("natgw.traversal.launcher"));
    /** Debian 12's default JDK; the control below shows that it cannot run the CLI jar. */
    private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    /** Java 17 is the machine's java: first on PATH and JAVA_HOME. */
    private static Map<String, String> withJdk17() {
        return Map.of("PATH", JDK17.resolve("bin") + ":/usr/bin:/bin", "JAVA_HOME", JDK17.toString());
    }

    /** No java anywhere: PATH is an empty directory and JAVA_HOME is unset. */
    private Map<String, String> withoutJava() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", Files.createDirectories(dir.resolve("empty-path")).toString());
        env.put("JAVA_HOME", null);
        return env;
    }

    private CliProcesses.Running launcher(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return cli.start(cmd, env);
    }

    @Test
    void theLauncherCarriesItsOwnJava25() throws Exception {
        assertThat(LAUNCHER).isExecutable();
        String release = Files.readString(LAUNCHER.getParent().getParent().resolve("runtime/release"));
        assertThat(release).contains("JAVA_VERSION=\"25");
        assertThat(LAUNCHER.getParent().getParent().resolveSibling("natgw-traversal.tar.gz")).isRegularFile();
    }

    @Test
    void exposeConnectAndForwardRunWithJava17AsTheMachinesJavaOrNoJavaAtAll() throws Exception {
        assumeTrue(Files.isExecutable(JDK17.resolve("bin/java")), "no JDK 17 at " + JDK17);
        // the control: that java cannot run the CLI jar itself
        Process old = new ProcessBuilder(JDK17.resolve("bin/java").toString(), "-jar", System.getProperty(
                "natgw.traversal.cli.jar"), "keygen", "--identity", dir.resolve("x").toString()).redirectErrorStream(
                        true)
                .start();
        String oldSays = new String(old.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(old.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(old.exitValue()).isNotZero();
        assertThat(oldSays).contains("UnsupportedClassVersionError");

        try (ServerSocket service = CliProcesses.echoService()) {
            // expose --port N: published through the forwarder
            Path id = dir.resolve("id");
            CliProcesses.Running expose = launcher(withJdk17(), "expose", "--port", String.valueOf(service
                    .getLocalPort()), "--identity", id.toString(), "--registry", face.uri().toString(), "--token",
                    Fixture
                            .credential());
            String keyLine = expose.nextLine(Duration.ofSeconds(30));
            assertThat(keyLine).startsWith("key ed25519-");
            String key = keyLine.substring(4);
            assertThat(key).isEqualTo(Identity.load(id).key());
            assertThat(expose.nextLine(Duration.ofSeconds(30))).isEqualTo("published at " + Fixture.endpoint(fwd));
            await().atMost(Duration.ofSeconds(5)).until(() -> !registry.lookup(key, 1).isEmpty());

            // connect KEY --registry URL, with no java on PATH
            CliProcesses.Running connect = launcher(withoutJava(), "connect", key, "--registry", face.uri()
                    .toString());
            try (OutputStream in = connect.process.getOutputStream()) {
                in.write("hello from a machine without JDK 25\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(connect.nextLine(Duration.ofSeconds(30))).isEqualTo("hello from a machine without JDK 25");
            assertThat(connect.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(connect.process.exitValue()).isZero();

            // forward --listen ADDR KEY, with Java 17 the machine's java
            int local;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                local = tmp.getLocalPort();
            }
            CliProcesses.Running forward = launcher(withJdk17(), "forward", "--listen", "127.0.0.1:" + local, key,
                    "--registry", face.uri().toString());
            assertThat(forward.nextLine(Duration.ofSeconds(30))).isEqualTo("forwarding /127.0.0.1:" + local + " to "
                    + key);
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), local)) {
                    s.setSoTimeout(10_000);
                    Echo.roundTrip(s, 100_000, i);
                }
            }
            assertThat(fwd.counters().relaysOpened()).isEqualTo(4);
        }
    }
}
