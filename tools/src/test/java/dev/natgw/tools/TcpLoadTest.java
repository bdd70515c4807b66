package dev.natgw.tools;

import static dev.natgw.tools.EchoServerTest.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line: each mode's JSON line read back with Jackson, and the refusals of bad input. */
class TcpLoadTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws InterruptedException {
        return TcpLoad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8));
    }

    private JsonNode json() throws Exception {
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(1);
        return new ObjectMapper().readTree(text);
    }

    private String error() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void holdPrintsOneJsonLineAndExitsZeroWhenAllPassed() throws Exception {
        try (EchoServer server = new EchoServer(loopback(0), 100, Duration.ofSeconds(60))) {
            assertThat(run("hold", "--target", "127.0.0.1:" + server.port(), "--count", "40", "--hold-seconds", "0",
                    "--timeout-seconds", "10", "--concurrency", "8", "--open-rate", "400")).isZero();
            JsonNode result = json();
            assertThat(result.get("mode").asText()).isEqualTo("hold");
            assertThat(result.get("target").asText()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(result.get("opened").asInt()).isEqualTo(40);
            assertThat(result.get("verified").asInt()).isEqualTo(40);
            assertThat(result.get("failed").asInt()).isZero();
            assertThat(result.get("closeErrors").asInt()).isZero();
            // 40 connections paced at 400 per second take at least 97.5 ms to open
            assertThat(result.get("openMs").asLong()).isGreaterThanOrEqualTo(97);
            assertThat(result.get("errors").size()).isZero();
        }
    }

    @Test
    void rateExitsOneWhenConnectionsFail() throws Exception {
        int port = EchoServerTest.closedPort();
        assertThat(run("rate", "--target", "127.0.0.1:" + port, "--seconds", "2", "--concurrency", "1", "--max",
                "5")).isEqualTo(1);
        JsonNode result = json();
        assertThat(result.get("failures").asInt()).isEqualTo(5);
        assertThat(result.get("errors").fieldNames().next()).startsWith("connection: ConnectException");
        assertThat(result.get("p99ConnectMs").isNull()).isTrue();
    }

    @Test
    void badCommandLinesAreRefusedNamingTheOption() throws Exception {
        Map<String[], String> cases = Map.of(
                new String[]{}, "no mode given",
                new String[]{"flood"}, "unknown mode 'flood'",
                new String[]{"hold", "--target", "127.0.0.1:9000", "--count", "10", "--hold-seconds", "1"},
                "hold needs --timeout-seconds",
                new String[]{"hold", "--target", "127.0.0.1", "--count", "1"}, "--target must be ADDR:PORT",
                new String[]{"rate", "--target", "127.0.0.1:70000"}, "--target port must be an integer from 1 to 65535",
                new String[]{"rate", "--target", "127.0.0.1:9", "--seconds", "x"}, "--seconds must be an integer",
                new String[]{"rate", "--speed", "1"}, "unknown option for rate: '--speed'",
                new String[]{"server", "--bind", "127.0.0.1", "--bind", "127.0.0.1"}, "--bind is given twice",
                new String[]{"server", "--bind"}, "--bind needs a value",
                new String[]{"hold", "--target", "127.0.0.1:9", "--count", "0"}, "--count must be an integer from 1");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            out.reset();
            err.reset();
            assertThat(run(c.getKey())).as(String.join(" ", c.getKey())).isEqualTo(2);
            assertThat(error()).contains(c.getValue()).contains("usage: TcpLoad");
            assertThat(out.size()).isZero();
        }
    }

    @Test
    void jsonEscapesStrings() throws Exception {
        String text = new Json().put("s", "a\"b\\c\n\u0001").put("d", Double.NaN).put("n", 3).put("m", Map.of("k",
                2L)).toString();
        JsonNode node = new ObjectMapper().readTree(text);
        assertThat(node.get("s").asText()).isEqualTo("a\"b\\c\n\u0001");
        assertThat(node.get("d").isNull()).isTrue();
        assertThat(node.get("n").asInt()).isEqualTo(3);
        assertThat(node.get("m").get("k").asLong()).isEqualTo(2);
    }

    @Test
    void tallyKeepsABoundedNumberOfReasons() {
        Tally tally = new Tally();
        for (int i = 0; i < 100; i++) {
            tally.add("reason " + i);
        }
        assertThat(tally.total()).isEqualTo(100);
        assertThat(tally.snapshot()).hasSize(Tally.REASONS + 1).containsEntry("other", 100L - Tally.REASONS);
    }
}
