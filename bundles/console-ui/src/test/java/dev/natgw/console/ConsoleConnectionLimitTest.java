package dev.natgw.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.console.internal.ConsoleServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console's connection bound with real sockets on loopback: more idle connections than Jetty accepts, an
 * honest client answered all the same, and nothing left open afterwards.
 */
class ConsoleConnectionLimitTest {
    /** Connections past the limit; they fit in the accept queue, so the kernel completes them and holds them. */
    private static final int EXTRA = 40;

    private ConsoleManager console;

    @AfterEach
    void stop() {
        if (console != null) {
            console.deactivate();
        }
    }

    private static long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void idleConnectionsPastTheLimitAreQueuedAndCannotKeepAnHonestClientOut() throws Exception {
        int port = ConsoleManagerTest.freePort();
        console = new ConsoleManager();
        console.activate(TestConfig.of("port", port, "realm", "test"), null);
        ConsoleServer server = console.server();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        long fdsBefore = openFds();
        List<Socket> hogs = new ArrayList<>();
        int refused = 0;
        long honestMillis;
        try {
            for (int i = 0; i < ConsoleServer.MAX_CONNECTIONS + EXTRA; i++) {
                Socket s = new Socket();
                try {
                    s.connect(address, 2000);
                    hogs.add(s);
                } catch (IOException full) {
                    refused++;
                    s.close();
                }
            }
            // Jetty takes exactly its limit; the rest wait in the kernel's accept queue
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == ConsoleServer.MAX_CONNECTIONS);
            assertThat(hogs.size() + refused).isEqualTo(ConsoleServer.MAX_CONNECTIONS + EXTRA);
            // every connection Jetty holds is on the limited idle timeout, including those it accepted in the same
            // burst as the one that reached the limit and opened only after it
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(server.connectionsOnLimitedTimeout())
                    .as("connections on the limited idle timeout").isEqualTo(ConsoleServer.MAX_CONNECTIONS));
            // a request on the last, queued connection gets no answer while the limit holds
            Socket queued = hogs.getLast();
            queued.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            queued.setSoTimeout(1000);
            boolean answeredWhileFull;
            try {
                answeredWhileFull = queued.getInputStream().read() >= 0;
            } catch (SocketTimeoutException waiting) {
                answeredWhileFull = false;
            }
            assertThat(answeredWhileFull).as("a connection past the limit is not served").isFalse();
            assertThat(server.connections()).isLessThanOrEqualTo(ConsoleServer.MAX_CONNECTIONS);

            // an honest client: the limit cut the idle connections' timeout, so it gets in and is answered
            long t0 = System.nanoTime();
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/metrics")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("natgw_nat_up");
            }
            honestMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(server.connections()).isLessThanOrEqualTo(ConsoleServer.MAX_CONNECTIONS);
        } finally {
            for (Socket s : hogs) {
                s.close();
            }
        }
        // nothing leaks: Jetty closes every connection and the process is back to its file descriptors
        await().atMost(Duration.ofSeconds(30)).until(() -> server.connections() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> openFds() <= fdsBefore + 2);
        System.out.printf("console connection bound: %d connections opened, %d accepted by Jetty at most,"
                + " %d queued by the kernel, %d refused; honest client answered after %d ms (limited idle timeout"
                + " %d ms); file descriptors %d before, %d after%n", ConsoleServer.MAX_CONNECTIONS + EXTRA,
                ConsoleServer.MAX_CONNECTIONS, hogs.size() - ConsoleServer.MAX_CONNECTIONS, refused, honestMillis,
                ConsoleServer.LIMITED_IDLE_TIMEOUT_MS, fdsBefore, openFds());
    }
}
