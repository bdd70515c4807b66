package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.forwarder.Echo;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The natgw-traversal CLI as users run it, {@code java -jar natgw-traversal-VERSION-cli.jar}, in processes of its own,
 * against a real forwarder and the registry's HTTP face on loopback.
 */
class TraversalCliTest extends CliTestBase {

    private static final String JAR = System.getProperty("natgw.traversal.cli.jar");

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Process cli(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        return p;
    }

    @Test
    void exposeConnectAndForwardThroughTheForwarder() throws Exception {
        try (ServerSocket service = CliProcesses.echoService()) {
            Path id = dir.resolve("id");
            Process expose = cli("expose", "--port", String.valueOf(service.getLocalPort()), "--identity", id
                    .toString(), "--registry", face.uri().toString(), "--no-direct", "--token", Fixture.credential());
            BufferedReader exposed = new BufferedReader(new InputStreamReader(expose.getInputStream(),
                    StandardCharsets.UTF_8));
            String keyLine = exposed.readLine();
            assertThat(keyLine).startsWith("key ed25519-");
            String key = keyLine.substring(4);
            assertThat(key).isEqualTo(Identity.load(id).key());
            assertThat(exposed.readLine()).isEqualTo("published at " + Fixture.endpoint(fwd));

            // connect: standard input to the key, its answer on standard output, exit 0 at the end
            Process connect = cli("connect", key, "--registry", face.uri().toString());
            try (OutputStream in = connect.getOutputStream()) {
                in.write("hello through natgw\n".getBytes(StandardCharsets.UTF_8));
            }
            String answer = new String(connect.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(connect.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(connect.exitValue()).isZero();
            assertThat(answer).isEqualTo("hello through natgw\n");

            // forward: a local port to the key
            int local;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                local = tmp.getLocalPort();
            }
            Process forward = cli("forward", "--listen", "127.0.0.1:" + local, key, "--registry", face.uri()
                    .toString());
            assertThat(new BufferedReader(new InputStreamReader(forward.getInputStream(), StandardCharsets.UTF_8))
                    .readLine()).startsWith("forwarding ");
            for (int i = 0; i < 4; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), local)) {
                    Echo.roundTrip(s, 200_000, i);
                }
            }
            assertThat(fwd.counters().relaysOpened()).isEqualTo(5);
        }
    }

    /** Runs connect with this input; returns its exit code and everything it printed (standard output and error). */
    private String[] connect(String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR, "connect"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String[]{String.valueOf(p.exitValue()), out};
    }

    @Test
    void exposeRegistersWithTwoForwardersAndSaysSoWhenOneIsLost() throws Exception {
        ForwarderManager second = Fixture.forwarder(registry, Map.of("announce", true));
        try (ServerSocket service = CliProcesses.echoService()) {
            Process expose = cli("expose", "--port", String.valueOf(service.getLocalPort()), "--identity", dir.resolve(
                    "id").toString(), "--forwarder", Fixture.endpoint(fwd).toString(), "--forwarder", Fixture
                            .endpoint(
                                    second)
                            .toString(),
                    "--registry", face.uri().toString(), "--token", Fixture.credential());
            BufferedReader exposed = new BufferedReader(new InputStreamReader(expose.getInputStream(),
                    StandardCharsets.UTF_8));
            String key = exposed.readLine().substring(4);
            String both = "published at " + Stream.of(Fixture.endpoint(fwd), Fixture.endpoint(second)).map(
                    Endpoint::toString).sorted().collect(Collectors.joining(", "));
            // the first line may name the forwarder that took the server first, the next names both
            String line = exposed.readLine();
            if (!line.equals(both)) {
                assertThat(line).startsWith("published at natgw://127.0.0.1:").doesNotContain(",");
                line = exposed.readLine();
            }
            assertThat(line).isEqualTo(both);
            await().atMost(Duration.ofSeconds(5)).until(() -> values(key).size() == 2);
            second.deactivate();
            assertThat(exposed.readLine()).isEqualTo("published at " + Fixture.endpoint(fwd));
            String[] served = connect("through the one left\n", key, "--registry", face.uri().toString());
            assertThat(served).containsExactly("0", "through the one left\n");
        } finally {
            if (second.info().state() != ForwarderState.STOPPED) {
                second.deactivate();
            }
        }
        Process bad = cli("expose", "--port", "1", "--identity", dir.resolve("id").toString(), "--registry", face
                .uri().toString(), "--forwarders", "5");
        assertThat(bad.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
    }

    @Test
    void exposeServesOnlyClientsWithTheSecretAndAListedKey() throws Exception {
        try (ServerSocket service = CliProcesses.echoService()) {
            Path secret = Files.writeString(dir.resolve("secret"), "correct horse battery staple\n");
            Path wrong = Files.writeString(dir.resolve("wrong"), "correct horse\n");
            Path clientId = dir.resolve("client-id");
            String clientKey = Identity.loadOrCreate(clientId).key();
            Process expose = cli("expose", "--port", String.valueOf(service.getLocalPort()), "--identity", dir.resolve(
                    "id").toString(), "--registry", face.uri().toString(), "--client-secret-file", secret.toString(),
                    "--allow-client", clientKey, "--token", Fixture.credential());
            BufferedReader exposed = new BufferedReader(new InputStreamReader(expose.getInputStream(),
                    StandardCharsets.UTF_8));
            String key = exposed.readLine().substring(4);
            assertThat(exposed.readLine()).isEqualTo("published at " + Fixture.endpoint(fwd));
            String registryUrl = face.uri().toString();

            String[] none = connect("x", key, "--registry", registryUrl);
            assertThat(none[0]).isEqualTo("1");
            assertThat(none[1]).contains("cannot reach " + key).contains("this server needs a client secret");
            String[] wrongSecret = connect("x", key, "--registry", registryUrl, "--client-secret-file", wrong
                    .toString(), "--identity", clientId.toString());
            assertThat(wrongSecret[1]).contains("wrong client secret");
            String[] noIdentity = connect("x", key, "--registry", registryUrl, "--client-secret-file", secret
                    .toString());
            assertThat(noIdentity[1]).contains("serves only listed client keys");
            String[] good = connect("hello, listed client\n", key, "--registry", registryUrl, "--client-secret-file",
                    secret.toString(), "--identity", clientId.toString());
            assertThat(good).containsExactly("0", "hello, listed client\n");
        }
    }

    @Test
    void keygenPrintsTheKeyAndBadUsageExitsWithTwo() throws Exception {
        Path id = dir.resolve("keys/id");
        Process keygen = cli("keygen", "--identity", id.toString());
        String key = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(keygen.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(key).isEqualTo(Identity.load(id).key());
        assertThat(Files.getPosixFilePermissions(id)).hasSize(2);

        Process bad = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR, "connect", "--bogus").redirectErrorStream(true).start();
        processes.add(bad);
        String text = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bad.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(text).contains("unknown option --bogus").contains("usage: natgw-traversal");

        Process unknown = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR, "connect", Identity.generate().key(), "--forwarder", Fixture.endpoint(fwd).toString())
                .redirectErrorStream(true).start();
        processes.add(unknown);
        String why = new String(unknown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(unknown.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(unknown.exitValue()).isEqualTo(1);
        assertThat(why).contains("UNKNOWN_KEY");
    }
}
