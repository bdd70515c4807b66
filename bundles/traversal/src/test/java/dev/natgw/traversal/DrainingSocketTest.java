package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Closing a connection while the peer's last bytes are unread makes the kernel send a reset, which throws away this
 * side's unsent data: the end of a response is lost. The end-to-end layer, layered inside a forwarder's TLS, never
 * reads the forwarder's close_notify, so it met this whenever that record was in before its close. These tests make
 * the reset case for real: the client's receive buffer is small and it reads only after the server has closed, so most
 * of the response is still in the server's send buffer when it closes.
 */
class DrainingSocketTest {

    private static final int RESPONSE = 64 * 1024;
    private static final Duration HANDSHAKE = Duration.ofSeconds(10);

    private static byte[] response() {
        byte[] b = new byte[RESPONSE];
        new Random(17).nextBytes(b);
        return b;
    }

    /** A client socket whose receive window is small: the response waits in the server's send buffer. */
    private static Socket smallWindow(ServerSocket ss) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.connect(ss.getLocalSocketAddress());
        return s;
    }

    @Test
    void aPlainCloseOverUnreadBytesIsAResetAndLosesTheResponse() throws Exception {
        // the failure the class exists for, shown with a plain socket: if this stops failing, the other tests prove
        // nothing on this kernel
        assertThat(exchange(false)).isNotEqualTo(response());
    }

    @Test
    void aDrainingCloseReadsThePeersLastBytesAndTheResponseArrivesWhole() throws Exception {
        assertThat(exchange(true)).isEqualTo(response());
    }

    /**
     * The server reads the request line only, answers, closes; the client had sent more after the request (as a
     * close_notify follows an end-to-end stream) and half-closed. The client reads once the server's close returned.
     */
    private static byte[] exchange(boolean draining) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = smallWindow(ss)) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                // the draining socket owns the accepted one: closing that as well would cut the drain short
                try (Socket s = draining ? new DrainingSocket(ss.accept()) : ss.accept()) {
                    s.setSendBufferSize(1 << 20);
                    s.getInputStream().readNBytes(4);
                    s.getOutputStream().write(response());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.getOutputStream().write("GET trailing bytes".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            served.get(10, TimeUnit.SECONDS);
            try {
                return client.getInputStream().readAllBytes();
            } catch (IOException reset) {
                return new byte[0];
            }
        }
    }

    @Test
    void anEndToEndEchoInsideAnotherTlsLayerEndsWhole() throws Exception {
        // the forwarder's shape without the forwarder: end-to-end TLS 1.3 inside a TLS connection; the server answers
        // and closes, the client reads after that close
        Identity server = Identity.generate();
        Identity outer = Identity.generate();
        SSLContext outerServer = E2e.context(outer);
        SSLContext outerClient = E2e.context(null);
        try (SSLServerSocket ss = (SSLServerSocket) outerServer.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                // the end-to-end layer owns the accepted socket and closes it (after its drain): not closed here too
                try {
                    Socket accepted = ss.accept();
                    accepted.setSendBufferSize(1 << 20);
                    PeerConnection c = E2e.server(E2e.context(server), accepted, "127.0.0.1:1", ClientPolicy.OPEN,
                            HANDSHAKE);
                    try (Socket s = c.socket()) {
                        InputStream in = s.getInputStream();
                        in.readAllBytes();
                        s.getOutputStream().write(response());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Socket raw = smallWindow(ss);
            SSLSocket tls = (SSLSocket) outerClient.getSocketFactory().createSocket(raw, outer.key(), ss
                    .getLocalPort(), true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            Endpoint via = new Endpoint(Endpoint.DIRECT, "127.0.0.1", ss.getLocalPort());
            try (Socket s = E2e.client(E2e.context(null), tls, server.key(), via, new byte[0], HANDSHAKE).socket()) {
                OutputStream out = s.getOutputStream();
                out.write("request".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                served.get(10, TimeUnit.SECONDS);
                byte[] back = s.getInputStream().readAllBytes();
                assertThat(back.length).isEqualTo(RESPONSE);
                assertThat(Arrays.equals(back, response())).isTrue();
            }
        }
    }

    /** Waits (bounded) until the socket is closed; fails past the drain time and a second. */
    private static Duration closedWithin(Socket s, long start) {
        Duration left = Duration
                .ofNanos(start + DrainingSocket.DRAIN_TIME.plusSeconds(1).toNanos() - System.nanoTime());
        await().atMost(left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left)
                .pollInterval(Duration.ofMillis(10))
                .until(s::isClosed);
        assertThat(s.isClosed()).as("closed within the drain time").isTrue();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aPeerThatNeverEndsItsSideDoesNotHoldTheCloseAndIsCutAtTheDrainTime() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket peer = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket accepted = ss.accept()) {
            // the peer floods and never half-closes
            Thread flood = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[16 * 1024];
                try (OutputStream out = peer.getOutputStream()) {
                    while (true) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // reset by the close
                }
            });
            DrainingSocket s = new DrainingSocket(accepted);
            long start = System.nanoTime();
            s.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            assertThat(s.isClosed()).isTrue();
            // drained in the background until a bound, then closed: the close reset the flood, its writes fail
            closedWithin(accepted, start);
            flood.join(Duration.ofSeconds(5));
            assertThat(flood.isAlive()).isFalse();
        }
    }

    @Test
    void aSilentPeerDoesNotHoldTheCloseAndABlockedReaderEndsWithinTheDrainTime() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket peer = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket accepted = ss.accept()) {
            DrainingSocket s = new DrainingSocket(accepted);
            // an application thread blocked in a read without a timeout, as when close is used to abort it
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.getInputStream().read();
                } catch (IOException e) {
                    return -2;
                }
            });
            long start = System.nanoTime();
            s.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            // the half-close went out first: the peer reads end of stream, not a reset, while the drain still waits
            peer.setSoTimeout(5000);
            assertThat(peer.getInputStream().read()).isEqualTo(-1);
            assertThat(closedWithin(accepted, start)).isGreaterThan(DrainingSocket.DRAIN_TIME.minusMillis(100));
            assertThat(reader.get(5, TimeUnit.SECONDS)).isLessThan(0);
        }
    }

    @Test
    void closesBeyondTheBackgroundCapDrainInTheCallersThreadSoDrainsStayBounded() throws Exception {
        // a peer that opens connections and never ends its side, more of them than drains may run in the background
        int n = DrainingSocket.MAX_BACKGROUND + 1;
        List<Socket> peers = new ArrayList<>(n);
        List<Socket> accepted = new ArrayList<>(n);
        try (ServerSocket ss = new ServerSocket(0, 512, InetAddress.getLoopbackAddress())) {
            try {
                for (int i = 0; i < n; i++) {
                    peers.add(new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort()));
                    accepted.add(ss.accept());
                }
                long start = System.nanoTime();
                for (int i = 0; i < n - 1; i++) {
                    new DrainingSocket(accepted.get(i)).close();
                }
                Duration background = Duration.ofNanos(System.nanoTime() - start);
                assertThat(background).isLessThan(DrainingSocket.DRAIN_TIME);
                assertThat(DrainingSocket.inBackground()).isLessThanOrEqualTo(DrainingSocket.MAX_BACKGROUND);
                // the cap is full (unless the first drains are ending already): this close drains in this thread
                boolean full = DrainingSocket.inBackground() == DrainingSocket.MAX_BACKGROUND && System.nanoTime()
                        - start < DrainingSocket.DRAIN_TIME.minusMillis(500).toNanos();
                long one = System.nanoTime();
                new DrainingSocket(accepted.get(n - 1)).close();
                if (full) {
                    assertThat(accepted.get(n - 1).isClosed()).isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - one)).isGreaterThan(Duration.ofMillis(500));
                }
                assertThat(DrainingSocket.inBackground()).isLessThanOrEqualTo(DrainingSocket.MAX_BACKGROUND);
                // every background drain ends at its bound and gives its place back
                await().atMost(DrainingSocket.DRAIN_TIME.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> DrainingSocket.inBackground() == 0);
                assertThat(DrainingSocket.inBackground()).isZero();
                assertThat(accepted).allMatch(Socket::isClosed);
            } finally {
                for (Socket s : peers) {
                    s.close();
                }
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}
