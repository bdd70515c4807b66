package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * A client that comes back to the same server resumes its end-to-end TLS session (a TLS 1.3 session ticket, one per
 * handshake by default): the server signs no certificate again and the client checks none, which is most of a
 * handshake's CPU. What the key proves still holds: the resumed session names the key its first handshake proved.
 */
class E2eResumptionTest {
    private static final Duration HANDSHAKE = Duration.ofSeconds(10);

    @Test
    void aRepeatClientResumesAndTheServerSignsOnlyOnce() throws Exception {
        Identity server = Identity.generate();
        SSLContext serverCtx = E2e.context(server);
        SSLContext clientCtx = E2e.context(null);
        try (ServerSocket ss = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Endpoint via = new Endpoint(Endpoint.DIRECT, "127.0.0.1", ss.getLocalPort());
            long before = E2e.fullClientHandshakes();
            for (int i = 0; i < 5; i++) {
                CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                    try (Socket accepted = ss.accept()) {
                        PeerConnection c = E2e.server(serverCtx, accepted, "127.0.0.1:1", ClientPolicy.OPEN,
                                HANDSHAKE);
                        try (Socket s = c.socket()) {
                            s.getOutputStream().write(7);
                            s.getOutputStream().flush();
                            return String.valueOf(s.getInputStream().read());
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Socket raw = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                PeerConnection c = E2e.client(clientCtx, raw, server.key(), via, new byte[0], HANDSHAKE);
                assertThat(c.peerKey()).isEqualTo(server.key());
                try (Socket s = c.socket()) {
                    assertThat(s.getInputStream().read()).isEqualTo(7);
                    s.getOutputStream().write(9);
                    s.getOutputStream().flush();
                    assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("9");
                }
            }
            assertThat(E2e.fullClientHandshakes() - before)
                    .as("full handshakes (the server's certificate checked) of 5").isEqualTo(1);
        }
    }
}
