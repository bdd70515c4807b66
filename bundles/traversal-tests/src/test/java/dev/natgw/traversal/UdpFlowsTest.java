package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.forwarder.KeyStores;
import dev.natgw.traversal.udp.DatagramFrames;
import dev.natgw.traversal.udp.UdpExpose;
import dev.natgw.traversal.udp.UdpForward;
import dev.natgw.traversal.udp.UdpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * {@link UdpForward} and {@link UdpExpose} over real sockets on loopback, the streams between them plain TCP (the
 * traversal's end-to-end streams are what the CLI tests use): every flow gets its own answers, and every bound holds
 * against a peer that tries to exceed it, as do the attacks beyond the bounds: a TLS client that stops reading, a
 * stranger sending into a flow's socket, a process taking the listening port over.
 */
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class UdpFlowsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private final Queue<IOException> errors = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private UdpEcho echo;
    private ServerSocket streams;
    private UdpExpose expose;
    private UdpForward forward;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        open.add(c);
        return c;
    }

    /** The service, an expose serving it to the streams accepted, a forward opening its streams there. */
    private void start(UdpLimits limits, UdpForward.Streams opener) throws IOException {
        echo = later(new UdpEcho());
        streams = later(new ServerSocket(0, 50, LOOPBACK));
        expose = later(new UdpExpose(new InetSocketAddress(LOOPBACK, echo.port()), limits, errors::add));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    expose.serve(streams.accept());
                }
            } catch (IOException e) {
                // closed
            }
        });
        forward = later(UdpForward.open(new InetSocketAddress(LOOPBACK, 0), opener, limits, errors::add));
    }

    private void start(UdpLimits limits) throws IOException {
        start(limits, () -> new Socket(LOOPBACK, streams.getLocalPort()));
    }

    private DatagramSocket client() throws IOException {
        return later(new DatagramSocket(0, LOOPBACK));
    }

    private static byte[] payload(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void manyFlowsAtOnceEachGetTheirOwnAnswersUpToTheLargestDatagram() throws Exception {
        start(UdpLimits.DEFAULTS);
        InetSocketAddress to = forward.localAddress();
        List<DatagramSocket> clients = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            clients.add(client());
        }
        Set<Integer> askers = new HashSet<>();
        int[] sizes = {0, 1, 1400, 9000, DatagramFrames.MAX_DATAGRAM - 2};
        for (int round = 0; round < sizes.length; round++) {
            for (int i = 0; i < clients.size(); i++) {
                byte[] p = payload(round * 100 + i, sizes[round]);
                UdpEcho.Answer a = UdpEcho.ask(clients.get(i), to, p, 5);
                assertThat(a.payload()).isEqualTo(p);
                askers.add(a.port());
            }
        }
        // one socket at the service per flow, the same for all of a flow's datagrams
        assertThat(askers).hasSize(clients.size());
        assertThat(forward.flows()).isEqualTo(clients.size());
        assertThat(expose.flows()).isEqualTo(clients.size());
        assertThat(forward.counters().datagramsDropped()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void aFloodOfNewFlowsBeyondTheBoundIsRefusedAndCountedWhileAnHonestFlowGoesOn() throws Exception {
        start(UdpLimits.DEFAULTS.withMaxFlows(4));
        InetSocketAddress to = forward.localAddress();
        DatagramSocket honest = client();
        int port = UdpEcho.ask(honest, to, payload(1, 100), 5).port();
        for (int i = 0; i < 3; i++) {
            UdpEcho.ask(client(), to, payload(2, 10), 5);
        }
        int flood = 300;
        // in rounds the receive buffer holds: a datagram the kernel drops for a full buffer is never counted, and on
        // a loaded machine the receiving thread may not run while 300 arrive at once
        for (int sent = 0; sent < flood;) {
            for (int i = 0; i < 50; i++, sent++) {
                try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
                    s.send(new DatagramPacket(new byte[512], 512, to));
                }
            }
            int upTo = sent;
            await().atMost(Duration.ofSeconds(20)).until(() -> forward.counters().flowsRefused() == upTo);
        }
        assertThat(forward.counters().datagramsDropped()).isEqualTo(flood);
        assertThat(forward.flows()).isEqualTo(4);
        assertThat(forward.counters().flowsOpened()).isEqualTo(4);
        // the honest flow still answered, by the same socket at the service
        UdpEcho.Answer a = UdpEcho.ask(honest, to, payload(3, 1000), 5);
        assertThat(a.port()).isEqualTo(port);
        assertThat(a.payload()).isEqualTo(payload(3, 1000));

        // the exposing side too: a fifth stream is closed at once, counted
        try (Socket extra = new Socket(LOOPBACK, streams.getLocalPort())) {
            extra.setSoTimeout(10_000);
            assertThat(extra.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(expose.counters().flowsRefused()).isEqualTo(1);
        assertThat(expose.flows()).isEqualTo(4);
    }

    @Test
    void aFlowWhoseStreamIsStalledQueuesUpToItsBoundAndDropsTheRest() throws Exception {
        CountDownLatch connect = new CountDownLatch(1);
        UdpLimits limits = new UdpLimits(8, Duration.ofSeconds(60), Duration.ofSeconds(5), 70_000);
        start(limits, () -> {
            try {
                connect.await();
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            }
            return new Socket(LOOPBACK, streams.getLocalPort());
        });
        InetSocketAddress to = forward.localAddress();
        DatagramSocket c = client();
        // 10 000 bytes cost 10 066 in the queue: 6 fit in 70 000, the other 4 are dropped
        for (int i = 0; i < 10; i++) {
            c.send(new DatagramPacket(payload(i, 10_000), 10_000, to));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> forward.counters().datagramsDropped() == 4);
        // the stream open, what was queued goes, and nothing of what was dropped
        connect.countDown();
        c.setSoTimeout(10_000);
        byte[] buf = new byte[65_536];
        for (int i = 0; i < 6; i++) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            c.receive(p);
            assertThat(p.getLength()).isEqualTo(10_002);
        }
        c.setSoTimeout(300);
        DatagramPacket more = new DatagramPacket(buf, buf.length);
        assertThatThrownBy(() -> c.receive(more)).isInstanceOf(SocketTimeoutException.class);
        assertThat(forward.counters().datagramsDropped()).isEqualTo(4);
    }

    @Test
    void quietFlowsEndAndASingleExchangeEndsSooner() throws Exception {
        start(new UdpLimits(16, Duration.ofSeconds(8), Duration.ofMillis(300), UdpLimits.DEFAULT_QUEUE_BYTES));
        InetSocketAddress to = forward.localAddress();
        DatagramSocket query = client();
        DatagramSocket game = client();
        int queryPort = UdpEcho.ask(query, to, payload(1, 40), 5).port();
        int gamePort = UdpEcho.ask(game, to, payload(2, 40), 5).port();
        UdpEcho.ask(game, to, payload(3, 40), 5);
        // the query, one request and one answer, ends after the exchange timeout; the game flow stays
        await().atMost(Duration.ofSeconds(6)).until(() -> forward.flows() == 1);
        assertThat(forward.counters().flowsIdle()).isEqualTo(1);
        assertThat(UdpEcho.ask(game, to, payload(4, 40), 5).port()).isEqualTo(gamePort);
        // its stream closed, the exposing side ended it too (and closed its socket to the service)
        await().atMost(Duration.ofSeconds(6)).until(() -> expose.flows() == 1);
        // asked again, the query is a new flow, from a new socket at the service
        assertThat(UdpEcho.ask(query, to, payload(5, 40), 5).port()).isNotEqualTo(queryPort);
        // and everything quiet ends after the idle timeout, on both sides
        await().atMost(Duration.ofSeconds(30)).until(() -> forward.flows() == 0 && expose.flows() == 0);
        assertThat(forward.counters().flowsIdle()).isEqualTo(3);
        assertThat(errors).isEmpty();
    }

    @Test
    void aClientThatHoldsItsStreamsQuietAtTheExposingSideLosesThem() throws Exception {
        start(new UdpLimits(16, Duration.ofSeconds(60), Duration.ofMillis(300), UdpLimits.DEFAULT_QUEUE_BYTES));
        try (Socket quiet = new Socket(LOOPBACK, streams.getLocalPort());
                Socket silent = new Socket(LOOPBACK, streams.getLocalPort())) {
            // one exchange, then nothing: ended after the exchange timeout and the exposing side's second more
            quiet.getOutputStream().write(DatagramFrames.frame(new byte[]{7}, 0, 1));
            quiet.setSoTimeout(20_000);
            byte[] answer = quiet.getInputStream().readNBytes(DatagramFrames.HEADER + 3);
            assertThat(answer[DatagramFrames.HEADER + 2]).isEqualTo((byte) 7);
            await().atMost(Duration.ofSeconds(10)).until(() -> expose.flows() == 1);
            assertThat(endOf(quiet.getInputStream())).isTrue();
            assertThat(expose.counters().flowsIdle()).isEqualTo(1);
            // the silent one, which never carried an exchange, stays for the idle timeout: still open
            assertThat(expose.flows()).isEqualTo(1);
            silent.setSoTimeout(300);
            assertThatThrownBy(() -> silent.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aStreamThatAnnouncesAnOverlongDatagramOrEndsInsideOneIsEndedAndCounted() throws Exception {
        start(UdpLimits.DEFAULTS);
        try (Socket bad = new Socket(LOOPBACK, streams.getLocalPort())) {
            bad.getOutputStream().write(new byte[]{(byte) 0xff, (byte) 0xff, 1, 2, 3});
            bad.setSoTimeout(10_000);
            assertThat(endOf(bad.getInputStream())).isTrue();
        }
        try (Socket cut = new Socket(LOOPBACK, streams.getLocalPort())) {
            cut.getOutputStream().write(new byte[]{0, 16, 1, 2, 3});
            cut.shutdownOutput();
            cut.setSoTimeout(10_000);
            assertThat(endOf(cut.getInputStream())).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> expose.counters().flowsFailed() == 2);
        assertThat(errors).extracting(Throwable::getMessage).containsExactlyInAnyOrder(
                "the peer sent a datagram of 65535 bytes; at most 65507 are carried",
                "the stream ended inside a datagram of 16 bytes");
        assertThat(expose.flows()).isZero();
        assertThat(expose.counters().datagramsCarried()).isZero();
    }

    /** Serves every stream server accepts with expose, in the background. */
    private static void serveAll(ServerSocket server, UdpExpose exposing) {
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    // small buffers: a peer that does not read stalls the writer after a few kilobytes
                    s.setSendBufferSize(4096);
                    exposing.serve(s);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /**
     * A client of a TLS stream asks for large answers and stops reading them: the exposing side's writer blocks in
     * TLS, holding the TLS record lock. Ending that flow must neither block the thread that ends quiet flows (every
     * other flow would then be kept for ever) nor leave the stream open.
     */
    @Test
    void aTlsClientThatStopsReadingHoldsNeitherTheReaperNorItsStream() throws Exception {
        Path keystore = KeyStores.create(dir, "udp");
        echo = later(new UdpEcho());
        expose = later(new UdpExpose(new InetSocketAddress(LOOPBACK, echo.port()), new UdpLimits(8,
                Duration.ofSeconds(1), Duration.ofMillis(300), UdpLimits.DEFAULT_QUEUE_BYTES), errors::add));
        SSLServerSocket server = later((SSLServerSocket) KeyStores.serving(keystore).getServerSocketFactory()
                .createServerSocket(0, 50, LOOPBACK));
        serveAll(server, expose);

        SSLSocket hostile = later((SSLSocket) KeyStores.trusting(keystore).createSocket());
        hostile.setReceiveBufferSize(4096);
        hostile.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()));
        hostile.startHandshake();
        OutputStream out = hostile.getOutputStream();
        byte[] big = new byte[60_000];
        for (int i = 0; i < 40; i++) {
            out.write(DatagramFrames.frame(big, 0, big.length));
            out.flush();
            Thread.sleep(5);
        }
        // quiet from now on, and never reading: the reaper ends the flow
        await().atMost(Duration.ofSeconds(20)).until(() -> expose.counters().flowsIdle() == 1);
        assertThat(expose.flows()).isZero();

        // an honest client after it: one exchange, then quiet; the reaper must still end it
        SSLSocket honest = later((SSLSocket) KeyStores.trusting(keystore).createSocket(LOOPBACK, server
                .getLocalPort()));
        honest.getOutputStream().write(DatagramFrames.frame(new byte[]{7}, 0, 1));
        honest.getOutputStream().flush();
        honest.setSoTimeout(20_000);
        byte[] answer = honest.getInputStream().readNBytes(DatagramFrames.HEADER + 3);
        assertThat(answer[DatagramFrames.HEADER + 2]).isEqualTo((byte) 7);
        await().atMost(Duration.ofSeconds(10)).until(() -> expose.counters().flowsIdle() == 2);
        assertThat(expose.flows()).isZero();
        assertThat(endOf(honest.getInputStream())).isTrue();

        // and the hostile client's stream was closed too, not left to a thread blocked for ever
        hostile.setSoTimeout(10_000);
        assertThat(readsToItsEnd(hostile.getInputStream(), 64 << 20)).isTrue();
    }

    /**
     * A stranger who learns the port a flow took at the exposing side (it is in every datagram the service sees) sends
     * into it: nothing of it reaches the flow's client, it is counted, and the flow goes on.
     */
    @Test
    void datagramsFromAStrangerToAFlowsSocketAtTheExposingSideAreDropped() throws Exception {
        start(UdpLimits.DEFAULTS);
        InetSocketAddress to = forward.localAddress();
        DatagramSocket client = client();
        int flowPort = UdpEcho.ask(client, to, new byte[]{1, 2, 3}, 5).port();

        DatagramSocket stranger = later(new DatagramSocket(0, LOOPBACK));
        int sent = 50;
        for (int i = 0; i < sent; i++) {
            stranger.send(new DatagramPacket(new byte[]{9, 9, 9, 9}, 4, LOOPBACK, flowPort));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> expose.counters().datagramsDropped() == sent);
        client.setSoTimeout(500);
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        assertThatThrownBy(() -> client.receive(p)).isInstanceOf(SocketTimeoutException.class);
        // the flow still answers, from the same socket
        assertThat(UdpEcho.ask(client, to, new byte[]{4, 5}, 5).port()).isEqualTo(flowPort);
        assertThat(forward.counters().datagramsDropped()).isZero();
        assertThat(errors).isEmpty();
    }

    /**
     * Another process on the host binds the forwarding side's UDP port as well, with SO_REUSEADDR: were the listening
     * socket bound with it too, Linux would let it, and hand it the datagrams meant for the flows.
     */
    @Test
    void theListeningPortCannotBeTakenOverByASecondSocket() throws Exception {
        start(UdpLimits.DEFAULTS);
        try (DatagramChannel thief = DatagramChannel.open()) {
            thief.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            assertThatThrownBy(() -> thief.bind(forward.localAddress())).isInstanceOf(IOException.class);
        }
    }

    /** {@return true once the peer ended the stream, by a FIN or a reset} */
    private static boolean endOf(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return !(e instanceof SocketTimeoutException);
        }
    }

    /** {@return true if the stream ends (a FIN or a reset) within at most max bytes, each read within its timeout} */
    private static boolean readsToItsEnd(InputStream in, long max) {
        byte[] buf = new byte[65_536];
        try {
            for (long left = max; left > 0;) {
                int n = in.read(buf);
                if (n < 0) {
                    return true;
                }
                left -= n;
            }
            return false;
        } catch (IOException e) {
            return !(e instanceof SocketTimeoutException);
        }
    }
}
