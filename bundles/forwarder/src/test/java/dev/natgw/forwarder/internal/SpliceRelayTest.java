package dev.natgw.forwarder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.forwarder.Configs;
import dev.natgw.forwarder.Fixture;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The splice path of plain relays on real loopback sockets: bulk data goes through kernel pipes and arrives whole, in
 * order, counted, with half-closes passed on; a direction that pauses goes back to copying; the bound on spliced
 * directions holds (the rest copy); a peer that stops reading holds the relay's bytes in flight to a bound and is
 * reaped by the idle deadline; with splicing off every relay copies.
 */
class SpliceRelayTest {

    private static final int BULK = 8 * 1024 * 1024;

    private ForwarderEngine engine;
    private Socket control;

    @AfterEach
    void stop() throws IOException {
        if (control != null) {
            control.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private void start(Map<String, Object> overrides) throws Exception {
        Map<String, Object> v = new HashMap<>();
        v.put("listen.port", 0);
        v.put("announce", false);
        v.put("data.timeout", 5);
        v.put("rate.per.source", 100_000);
        v.put("max.connections.per.source", 100_000);
        v.putAll(overrides);
        engine = new ForwarderEngine(ForwarderSettings.of(Configs.forwarder(v)), null, null, Clock.systemUTC());
        engine.start();
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", engine.boundAddress().getPort()), 2000);
        s.setSoTimeout(20_000);
        return s;
    }

    private Identity register() throws IOException {
        Identity id = Identity.generate();
        control = open();
        Fixture.register(control, id, null).expect(MessageType.REGISTERED);
        return id;
    }

    /** {@return a relayed pair: client and the server's data connection, both past CONNECTED} */
    private Socket[] relay(Identity id) throws IOException {
        Socket client = open();
        Fixture.send(client, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
        byte[] token = Fixture.read(control).expect(MessageType.INCOMING).reader().bytes(32, 32);
        Socket data = open();
        Fixture.send(data, Fixture.data(data, id, token));
        Fixture.read(data).expect(MessageType.CONNECTED);
        Fixture.read(client).expect(MessageType.CONNECTED);
        return new Socket[]{client, data};
    }

    private static byte pattern(long i, int seed) {
        return (byte) ((i * 31 + seed) % 251);
    }

    /** Writes n pattern bytes, then half-closes, on a thread of its own. */
    private static Thread send(Socket s, long n, int seed) {
        return Thread.ofPlatform().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                byte[] chunk = new byte[65536];
                long sent = 0;
                while (sent < n) {
                    int len = (int) Math.min(chunk.length, n - sent);
                    for (int i = 0; i < len; i++) {
                        chunk[i] = pattern(sent + i, seed);
                    }
                    out.write(chunk, 0, len);
                    sent += len;
                }
                s.shutdownOutput();
            } catch (IOException e) {
                // the reader reports what arrived
            }
        });
    }

    /** Reads to end of stream, checking every byte against the pattern; returns the count. */
    private static long receive(Socket s, int seed) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[65536];
        long got = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != pattern(got + i, seed)) {
                    throw new AssertionError("byte " + (got + i) + " differs");
                }
            }
            got += n;
        }
        return got;
    }

    /** Both ways in turn: a request, its half-close, then an answer and its half-close. */
    private void bulkBothWays(Socket client, Socket data) throws Exception {
        Thread up = send(client, BULK, 1);
        assertThat(receive(data, 1)).isEqualTo(BULK);
        up.join();
        Thread down = send(data, BULK, 2);
        assertThat(receive(client, 2)).isEqualTo(BULK);
        down.join();
    }

    /** Starts a forwarder with these overrides, relays BULK bytes each way through it, and waits for the end. */
    private void relayBulkBothWays(Map<String, Object> overrides) throws Exception {
        start(overrides);
        Identity id = register();
        Socket[] pair = relay(id);
        try (Socket client = pair[0]; Socket data = pair[1]) {
            bulkBothWays(client, data);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.sessions(10).isEmpty());
    }

    private static long spliceThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("natgw-fwd-splice"))
                .count();
    }

    @Test
    void bulkDataIsSplicedWholeInOrderCountedWithHalfClosesBothWays() throws Exception {
        relayBulkBothWays(Map.of("relay.splice.max", 64));
        assertThat(engine.relayPath()).startsWith("splice");
        Splicer splicer = engine.splicer();
        // each direction went through a pipe, and the pipe moved most of its bytes (the first buffer is copied)
        assertThat(splicer.spliceRuns.sum()).isGreaterThanOrEqualTo(2);
        assertThat(splicer.bytesSpliced.sum()).isGreaterThan(2L * BULK - 2 * 65536 * 2);
        assertThat(engine.counters().bytesRelayed()).isEqualTo(2L * BULK);
        assertThat(engine.counters().relaysClosed()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> spliceThreads() == 0);
    }

    @Test
    void aPausedDirectionGoesBackToCopyingAndSplicesAgainOnTheNextBulk() throws Exception {
        start(Map.of("relay.splice.max", 64));
        Identity id = register();
        Socket[] pair = relay(id);
        try (Socket client = pair[0]; Socket data = pair[1]) {
            OutputStream up = client.getOutputStream();
            InputStream in = data.getInputStream();
            byte[] chunk = new byte[1024 * 1024];
            up.write(chunk);
            assertThat(in.readNBytes(chunk.length)).hasSize(chunk.length);
            long runs = engine.splicer().spliceRuns.sum();
            assertThat(runs).isPositive();
            // idle past the splice idle time: the pump gives its pipe and thread back
            await().atMost(Duration.ofSeconds(10)).until(() -> spliceThreads() == 0);
            up.write("ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(in.readNBytes(4)).asString(java.nio.charset.StandardCharsets.US_ASCII).isEqualTo("ping");
            up.write(chunk);
            assertThat(in.readNBytes(chunk.length)).hasSize(chunk.length);
            assertThat(engine.splicer().spliceRuns.sum()).isGreaterThan(runs);
            client.shutdownOutput();
            data.shutdownOutput();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.sessions(10).isEmpty());
        assertThat(engine.counters().bytesRelayed()).isEqualTo(2L * 1024 * 1024 + 4);
    }

    @Test
    void pastTheBoundOfSplicedDirectionsRelaysCopyAndStayWhole() throws Exception {
        start(Map.of("relay.splice.max", 1));
        Identity id = register();
        Socket[] a = relay(id);
        Socket[] b = relay(id);
        try (Socket c1 = a[0]; Socket d1 = a[1]; Socket c2 = b[0]; Socket d2 = b[1]) {
            // four directions at once against one slot
            Thread[] senders = {send(c1, BULK, 3), send(d1, BULK, 4), send(c2, BULK, 5), send(d2, BULK, 6)};
            long[] got = new long[4];
            Thread[] readers = new Thread[4];
            Socket[] to = {d1, c1, d2, c2};
            int[] seeds = {3, 4, 5, 6};
            for (int i = 0; i < 4; i++) {
                int k = i;
                readers[i] = Thread.ofPlatform().start(() -> {
                    try {
                        got[k] = receive(to[k], seeds[k]);
                    } catch (IOException e) {
                        got[k] = -1;
                    }
                });
            }
            for (int i = 0; i < 4; i++) {
                senders[i].join();
                readers[i].join();
            }
            assertThat(got).containsOnly(BULK);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.sessions(10).isEmpty());
        assertThat(engine.splicer().spliceRefused.sum()).isPositive();
        assertThat(engine.counters().bytesRelayed()).isEqualTo(4L * BULK);
    }

    @Test
    void aPeerThatStopsReadingHoldsABoundedAmountAndIsReapedWhenIdle() throws Exception {
        start(Map.of("relay.idle.timeout", 2, "relay.splice.max", 64));
        Identity id = register();
        Socket[] pair = relay(id);
        Socket client = pair[0];
        Socket data = pair[1];
        try {
            // the server (data) never reads; the client writes until its writes fail (the relay reaped) or block for good
            AtomicLong written = new AtomicLong();
            Thread writer = Thread.ofPlatform().daemon(true).start(() -> {
                byte[] chunk = new byte[65536];
                try {
                    OutputStream out = client.getOutputStream();
                    while (true) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // reaped
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.sessions(10).isEmpty());
            // what the forwarder took in was bounded by the socket buffers and one pipe, not by what was offered
            assertThat(engine.counters().bytesRelayed()).isLessThan(64L * 1024 * 1024);
            assertThat(engine.splicer().spliceRuns.sum()).isPositive();
            await().atMost(Duration.ofSeconds(10)).until(() -> spliceThreads() == 0);
            client.close();
            writer.join(10_000);
            assertThat(writer.isAlive()).isFalse();
            assertThat(written.get()).isLessThan(128L * 1024 * 1024);
        } finally {
            client.close();
            data.close();
        }
    }

    @Test
    void byDefaultEveryRelayCopies() throws Exception {
        relayBulkBothWays(Map.of());
        assertThat(engine.relayPath()).isEqualTo("copy (relay.splice.max = 0)");
        assertThat(engine.splicer().spliceRuns.sum()).isZero();
        assertThat(engine.counters().bytesRelayed()).isEqualTo(2L * BULK);
    }

    @Test
    void stoppingTheForwarderMidSpliceEndsBothPeersCleanly() throws Exception {
        start(Map.of("relay.splice.max", 64));
        Identity id = register();
        Socket[] pair = relay(id);
        try (Socket client = pair[0]; Socket data = pair[1]) {
            byte[] chunk = new byte[1024 * 1024];
            client.getOutputStream().write(chunk);
            assertThat(data.getInputStream().readNBytes(chunk.length)).hasSize(chunk.length);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.splicer().spliceRuns.sum() > 0);
            engine.close();
            // the server reads end of stream (or a reset), never waits for the splice
            try {
                assertThat(data.getInputStream().read()).isEqualTo(-1);
            } catch (IOException reset) {
                // closed is closed
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> spliceThreads() == 0);
    }
}
