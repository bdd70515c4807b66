package dev.natgw.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoServerTest {

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** A loopback port that nothing listens on (it was free a moment ago). */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    static Socket connect(EchoServer server) throws IOException {
        Socket socket = new Socket();
        socket.connect(loopback(server.port()), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    @Test
    void echoesWhatItReadsAndClosesOnEndOfStream() throws IOException {
        try (EchoServer server = new EchoServer(loopback(0), 4, Duration.ofSeconds(60));
                Socket socket = connect(
                        server)) {
            byte[] big = new byte[3 * EchoServer.BUFFER + 17];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            socket.getOutputStream().write(big);
            assertThat(socket.getInputStream().readNBytes(big.length)).isEqualTo(big);
            socket.getOutputStream().write("natgw".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo(
                    "natgw");
            socket.shutdownOutput();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.active() == 0);
            assertThat(server.accepted()).isEqualTo(1);
            assertThat(server.echoed()).isEqualTo(big.length + 5);
        }
    }

    @Test
    void connectionsBeyondMaxAreResetAndTheSlotComesBack() throws IOException {
        try (EchoServer server = new EchoServer(loopback(0), 3, Duration.ofSeconds(60))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = connect(server);
                    s.getOutputStream().write(i);
                    assertThat(s.getInputStream().read()).isEqualTo(i);
                    held.add(s);
                }
                // the kernel completes the handshake; the server then resets the connection unserved, which the
                // client sees at connect, write or read, depending on timing
                assertThatThrownBy(() -> {
                    try (Socket extra = connect(server)) {
                        extra.getOutputStream().write(9);
                        if (extra.getInputStream().read() == -1) {
                            throw new SocketException("end of stream");
                        }
                    }
                }).isInstanceOf(SocketException.class);
                await().atMost(Duration.ofSeconds(5)).until(() -> server.refused() == 1);
                held.removeFirst().close();
                await().atMost(Duration.ofSeconds(5)).until(() -> server.active() == 2);
                try (Socket again = connect(server)) {
                    again.getOutputStream().write(7);
                    assertThat(again.getInputStream().read()).isEqualTo(7);
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        try (EchoServer server = new EchoServer(loopback(0), 8, Duration.ofSeconds(1));
                Socket socket = connect(
                        server)) {
            socket.getOutputStream().write(1);
            assertThat(socket.getInputStream().read()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.idleClosed() == 1);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(server.active()).isZero();
        }
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new EchoServer(loopback(0), 0, Duration.ofSeconds(1))).hasMessageContaining("max");
        assertThatThrownBy(() -> new EchoServer(loopback(0), 1, Duration.ZERO)).hasMessageContaining("idle");
    }
}
