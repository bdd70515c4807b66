package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stream cut short on the way is an error, not an end: a relay between a real end-to-end client and server (the
 * forwarder's place) passes the bytes, then stops passing them and ends both TCP connections with a FIN, as a hostile
 * forwarder or anyone on the path can. Without the check both ends read an ordinary end of stream there (JSSE takes a
 * transport end without close_notify for one), and an application takes half a stream for the whole. An honest
 * half-close and close through the same relay still end cleanly.
 */
class E2eTruncationTest {

    private static final Duration HANDSHAKE = Duration.ofSeconds(10);
    private static final int PART = 3000;

    private final Identity serverId = Identity.generate();
    private ServerSocket listener;
    private Relay relay;
    private CompletableFuture<PeerConnection> accepted;
    private Socket client;
    private Socket server;

    @BeforeEach
    void start() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        relay = new Relay(listener.getLocalPort());
        accepted = CompletableFuture.supplyAsync(() -> {
            try {
                Socket s = listener.accept();
                return E2e.server(E2e.context(serverId), s, "127.0.0.1:" + s.getPort(), ClientPolicy.OPEN,
                        HANDSHAKE);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : new Socket[]{client, server}) {
            if (s != null) {
                s.close();
            }
        }
        relay.close();
        listener.close();
    }

    /** Connects the client through the relay, then takes the server's side of it. */
    private void connect() throws Exception {
        client = client();
        client.setSoTimeout(10_000);
        server = server();
    }

    private Socket client() throws IOException {
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), relay.port());
        Endpoint via = new Endpoint(Endpoint.FORWARDER, "127.0.0.1", relay.port());
        return E2e.client(E2e.context(null), raw, serverId.key(), via, new byte[0], HANDSHAKE).socket();
    }

    private Socket server() throws Exception {
        Socket s = accepted.get(10, TimeUnit.SECONDS).socket();
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] part(int seed) {
        byte[] b = new byte[PART];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sends a part from one end and checks that the other end reads it whole: the relay still passes bytes. */
    private static void passes(Socket from, Socket to, int seed) throws IOException {
        from.getOutputStream().write(part(seed));
        from.getOutputStream().flush();
        assertThat(to.getInputStream().readNBytes(PART)).isEqualTo(part(seed));
    }

    @Test
    void aStreamCutShortOnTheWayIsAnErrorNamingTheKeyOnTheClientsSide() throws Exception {
        connect();
        passes(server, client, 1);
        relay.cut();
        // the server goes on and ends its stream properly; none of it passes the relay any more
        server.getOutputStream().write(part(2));
        server.close();
        InputStream in = client.getInputStream();
        assertThatThrownBy(in::read).isInstanceOf(TruncatedStreamException.class)
                .hasMessageContaining(serverId.key()).hasMessageContaining("cut short on the way")
                .hasMessageContaining("not by the server");
        // and it stays an error: a second read does not turn it into an end
        assertThatThrownBy(() -> in.read(new byte[16])).isInstanceOf(TruncatedStreamException.class);
    }

    @Test
    void aStreamCutShortOnTheWayIsAnErrorOnTheServersSideEvenAfterItHalfClosed() throws Exception {
        connect();
        passes(client, server, 3);
        // the server has said all it will (its close_notify passes); the client's rest is cut
        server.shutdownOutput();
        assertThat(client.getInputStream().read()).isEqualTo(-1);
        relay.cut();
        client.getOutputStream().write(part(4));
        client.shutdownOutput();
        assertThatThrownBy(() -> server.getInputStream().readAllBytes())
                .isInstanceOf(TruncatedStreamException.class).hasMessageContaining(serverId.key())
                .hasMessageContaining("from client 127.0.0.1:").hasMessageContaining("not by the client");
    }

    @Test
    void aCutInTheMiddleOfALongAnswerIsAnErrorAfterThePartThatPassed() throws Exception {
        byte[] answer = new byte[4 << 20];
        new Random(5).nextBytes(answer);
        relay.cutAfterDownstream(answer.length / 2);
        connect();
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                server.getOutputStream().write(answer);
                server.close();
            } catch (IOException e) {
                // the relay stopped reading: the rest cannot leave
            }
        });
        InputStream in = client.getInputStream();
        byte[] got = new byte[answer.length];
        int n = 0;
        IOException end = null;
        try {
            for (int r; (r = in.read(got, n, got.length - n)) > 0;) {
                n += r;
            }
        } catch (IOException e) {
            end = e;
        }
        assertThat(end).isInstanceOf(TruncatedStreamException.class);
        assertThat(n).isGreaterThan(0).isLessThan(answer.length);
        assertThat(Arrays.equals(got, 0, n, answer, 0, n)).isTrue();
        sent.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anHonestHalfCloseAndCloseEndCleanlyOnBothSides() throws Exception {
        connect();
        client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        assertThat(server.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII)
                .isEqualTo("request");
        assertThat(server.getInputStream().read()).isEqualTo(-1);
        server.getOutputStream().write(part(6));
        server.close();
        assertThat(client.getInputStream().readAllBytes()).isEqualTo(part(6));
        assertThat(client.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void aCloseWithoutHalfCloseEndsCleanlyForThePeer() throws Exception {
        connect();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return server.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client.getOutputStream().write(part(7));
        // the close waits for the server's end (drain), which comes once the server has read the client's
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
            try {
                read.join();
                server.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client.close();
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(part(7));
        ended.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aReaderEndedByThisHostsOwnCloseIsNotToldOfACut() throws Exception {
        connect();
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Object> reader = CompletableFuture.supplyAsync(() -> {
            try {
                reading.countDown();
                return client.getInputStream().read();
            } catch (IOException e) {
                return e;
            }
        });
        reading.await();
        client.close();
        assertThat(reader.get(10, TimeUnit.SECONDS)).isNotInstanceOf(TruncatedStreamException.class);
    }

    /**
     * A TCP relay on loopback in front of the server, standing for the forwarder or anyone on the path. Honest, it
     * passes bytes both ways and an end of stream as a half-close. Cut, it stops passing bytes and sends a FIN to both
     * ends, reading and dropping what still comes so that its closes are FINs, not resets.
     */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket front;
        private final int target;
        private final AtomicBoolean cut = new AtomicBoolean();
        private volatile long cutAfterDown = Long.MAX_VALUE;
        private volatile Socket a;
        private volatile Socket b;

        Relay(int target) throws IOException {
            this.target = target;
            this.front = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::relayOne);
        }

        int port() {
            return front.getLocalPort();
        }

        /** Cuts once this many bytes went from the server to the client. */
        void cutAfterDownstream(long bytes) {
            cutAfterDown = bytes;
        }

        private void relayOne() {
            try {
                a = front.accept();
                b = new Socket(InetAddress.getLoopbackAddress(), target);
                Thread.ofVirtual().start(() -> pump(a, b, Long.MAX_VALUE));
                pump(b, a, cutAfterDown);
            } catch (IOException e) {
                // closed before a client came
            }
        }

        private void pump(Socket from, Socket to, long cutAfter) {
            byte[] buf = new byte[8192];
            long passed = 0;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0;) {
                    int pass = (int) Math.min(n, cutAfter - passed);
                    if (!cut.get()) {
                        passed += pass;
                        pass(out, buf, pass);
                        if (pass < n) {
                            cut();
                        }
                    }
                }
                if (!cut.get()) {
                    to.shutdownOutput();
                }
            } catch (IOException e) {
                // the end of the test
            }
        }

        private static void pass(OutputStream out, byte[] buf, int n) {
            try {
                out.write(buf, 0, n);
            } catch (IOException e) {
                // the cut's FIN went out meanwhile: dropped, and the pump reads on
            }
        }

        /** Stops passing bytes and ends both connections with a FIN; the pumps go on reading and dropping. */
        void cut() throws IOException {
            if (cut.compareAndSet(false, true)) {
                for (Socket s : new Socket[]{a, b}) {
                    if (!s.isOutputShutdown()) {
                        s.shutdownOutput();
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            front.close();
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
    }
}
