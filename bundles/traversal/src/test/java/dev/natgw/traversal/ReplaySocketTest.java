package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A connection whose first bytes were read while a re-probe looked at it reaches the application whole. */
class ReplaySocketTest {

    @Test
    void theBytesReadFirstComeAgainBeforeTheRest() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket accepted = ss.accept()) {
            client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            byte[] head = accepted.getInputStream().readNBytes(5);
            try (Socket replay = new ReplaySocket(accepted, head)) {
                assertThat(new String(replay.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(
                        "GET / HTTP/1.0\r\n\r\n");
                assertThat(replay.getChannel()).isNull();
                assertThat(replay.getPort()).isEqualTo(client.getLocalPort());
                assertThat(replay.isConnected()).isTrue();
                replay.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
                replay.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(
                        "ok");
            }
            assertThat(accepted.isClosed()).isTrue();
        }
    }
}
