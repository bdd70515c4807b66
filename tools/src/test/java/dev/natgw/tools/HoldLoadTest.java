package dev.natgw.tools;

import static dev.natgw.tools.EchoServerTest.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HoldLoadTest {

    private static HoldLoad.Result hold(int port, int count, int holdSeconds) throws InterruptedException {
        return new HoldLoad(new HoldLoad.Settings(loopback(port), count, holdSeconds, 20, 64, 0)).run();
    }

    @Test
    void opensChecksHoldsChecksAndClosesEveryConnection() throws Exception {
        try (EchoServer server = new EchoServer(loopback(0), 1000, Duration.ofSeconds(60))) {
            HoldLoad.Result result = hold(server.port(), 500, 1);
            assertThat(result.opened()).isEqualTo(500);
            assertThat(result.failed()).isZero();
            assertThat(result.verified()).isEqualTo(500);
            assertThat(result.lostDuringHold()).isZero();
            assertThat(result.closeErrors()).isZero();
            assertThat(result.clean()).isTrue();
            // two 16-byte checks per connection went through the server
            // the server counts an echo after writing it, so the last client can finish before the last count
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(server.echoed()).isEqualTo(500L * 2 * HoldLoad.PROBE));
            assertThat(server.accepted()).isEqualTo(500);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.active() == 0);
        }
    }

    @Test
    void connectionsTheServerRefusesCountAsFailed() throws Exception {
        try (EchoServer server = new EchoServer(loopback(0), 100, Duration.ofSeconds(60))) {
            HoldLoad.Result result = hold(server.port(), 250, 0);
            assertThat(result.opened()).isEqualTo(100);
            assertThat(result.failed()).isEqualTo(150);
            assertThat(result.verified()).isEqualTo(100);
            assertThat(result.clean()).isFalse();
            assertThat(result.errors().total()).isEqualTo(150);
            assertThat(result.errors().snapshot().keySet()).allMatch(reason -> reason.startsWith("open: "));
        }
    }

    @Test
    void connectionsDroppedDuringTheHoldAreCountedLost() throws Exception {
        // the server drops idle connections after 1 s; the hold lasts 3 s
        try (EchoServer server = new EchoServer(loopback(0), 100, Duration.ofSeconds(1))) {
            HoldLoad.Result result = hold(server.port(), 50, 3);
            assertThat(result.opened()).isEqualTo(50);
            assertThat(result.verified()).isZero();
            assertThat(result.lostDuringHold()).isEqualTo(50);
            assertThat(server.idleClosed()).isEqualTo(50);
            assertThat(result.errors().snapshot().keySet()).allMatch(reason -> reason.startsWith("after hold: "));
        }
    }

    @Test
    void aServerThatDoesNotEchoFailsTheCheck() throws Exception {
        try (ServerSocket liar = new ServerSocket(0, 50, loopback(0).getAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!liar.isClosed()) {
                    try {
                        Socket s = liar.accept();
                        Thread.ofVirtual().start(() -> answerReversed(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            HoldLoad.Result result = hold(liar.getLocalPort(), 20, 0);
            assertThat(result.opened()).isZero();
            assertThat(result.failed()).isEqualTo(20);
            assertThat(result.errors().snapshot()).containsEntry("open: IOException: echo mismatch", 20L);
        }
    }

    @Test
    void nothingListeningFailsEveryConnection() throws Exception {
        int port = EchoServerTest.closedPort();
        HoldLoad.Result result = hold(port, 10, 0);
        assertThat(result.opened()).isZero();
        assertThat(result.failed()).isEqualTo(10);
        assertThat(result.json()).contains("\"failed\":10").contains("Connection refused");
    }

    private static void answerReversed(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            byte[] probe = in.readNBytes(HoldLoad.PROBE);
            byte[] back = new byte[probe.length];
            for (int i = 0; i < probe.length; i++) {
                back[i] = probe[probe.length - 1 - i];
            }
            socket.getOutputStream().write(back);
            in.read();
        } catch (IOException e) {
            // the client went away
        }
    }
}
