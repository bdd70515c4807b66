package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.forwarder.Fixture;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CLI against a closed forwarder: without a credential expose is refused and never published; with one, given as
 * a file to --token or in NATGW_TOKEN, it is published; a malformed one is a usage error.
 */
class ExposeAdmissionTest extends CliTestBase {

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("natgw.traversal.cli.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private boolean registered(String key) {
        return fwd.servers().stream().map(RegisteredServer::key).anyMatch(key::equals);
    }

    @Test
    void exposeWithoutACredentialIsRefusedAndWithOneIsPublished() throws Exception {
        try (ServerSocket service = CliProcesses.echoService()) {
            String port = String.valueOf(service.getLocalPort());
            long rejected = fwd.counters().registrationsRejected();
            CliProcesses.Running refused = cli.start(command("expose", "--port", port, "--identity", dir.resolve(
                    "id1").toString(), "--registry", face.uri().toString()), Map.of("NATGW_TOKEN", ""));
            String key = refused.nextLine(Duration.ofSeconds(20)).substring(4);
            await().atMost(Duration.ofSeconds(20)).until(() -> fwd.counters().registrationsRejected() > rejected);
            assertThat(registered(key)).isFalse();
            assertThat(refused.more()).isEmpty();
            assertThat(values(key)).isEmpty();

            Path file = dir.resolve("token");
            Files.writeString(file, Fixture.credential() + "\n");
            CliProcesses.Running fromFile = cli.start(command("expose", "--port", port, "--identity", dir.resolve(
                    "id2").toString(), "--registry", face.uri().toString(), "--token", file.toString()), Map.of());
            String key2 = fromFile.nextLine(Duration.ofSeconds(20)).substring(4);
            assertThat(fromFile.nextLine(Duration.ofSeconds(20))).isEqualTo("published at " + Fixture.endpoint(fwd));
            assertThat(registered(key2)).isTrue();

            CliProcesses.Running fromEnv = cli.start(command("expose", "--port", port, "--identity", dir.resolve(
                    "id3").toString(), "--registry", face.uri().toString()), Map.of("NATGW_TOKEN", Fixture
                            .credential()));
            fromEnv.nextLine(Duration.ofSeconds(20));
            assertThat(fromEnv.nextLine(Duration.ofSeconds(20))).startsWith("published at ");

            CliProcesses.Running bad = cli.jar("expose", "--port", port, "--registry", face.uri().toString(),
                    "--identity", dir.resolve("id4").toString(), "--token", "natgw-tenant-v1:x:notbase64!");
            assertThat(bad.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.process.exitValue()).isEqualTo(2);
            // the first one is still refused
            assertThat(registered(key)).isFalse();
        }
    }
}
