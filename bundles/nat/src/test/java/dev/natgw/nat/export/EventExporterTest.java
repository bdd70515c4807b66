package dev.natgw.nat.export;

import dev.natgw.api.nat.EventExportStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.nat.fastpath.EventRing;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The exporter against real sockets on loopback: a syslog receiver, a TCP collector that never reads, one that is
 * not there yet, and a UDP collector that joins late.
 */
class EventExporterTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final int IN = 0xC6120002;
    private static final int OUT = 0xC6130001;

    private static ExportSettings settings(List<InetSocketAddress> collectors, boolean tcp,
            List<InetSocketAddress> syslog, int queue) {
        return new ExportSettings(collectors, tcp, 9, 1, 1400, syslog, 16, "gw-1", queue);
    }

    @Test
    void syslogMessagesFollowRfc5424() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, LO);
                EventExporter e = new EventExporter(settings(List.of(), false, List.of(new InetSocketAddress(LO,
                        server.getLocalPort())), 16), () -> 1_796_647_995_102L)) {
            server.setSoTimeout(10_000);
            e.event(EventRing.CREATED, 17, 0, "public", IN, 5000, OUT, 1025, 1_796_647_995_102L);
            e.event(EventRing.REFUSED_QUOTA, 6, 0, "public", IN, 5001, 0, 0, 1_796_647_995_103L);
            String first = receive(server);
            String second = receive(server);
            // PRI local0.info = 16*8+6, VERSION 1, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID, no SD, MSG
            assertThat(first).matches("<134>1 2026-12-07T12:53:15\\.102Z gw-1 natgw \\d+ mapping-created - udp"
                    + " inside=198\\.18\\.0\\.2:5000 outside=198\\.19\\.0\\.1:1025 pool=public");
            assertThat(second).matches("<134>1 2026-12-07T12:53:15\\.103Z gw-1 natgw \\d+ refused-quota - tcp"
                    + " inside=198\\.18\\.0\\.2:5001 pool=public");
            await().until(() -> e.stats().syslogSent() == 2);
        }
    }

    @Test
    void aCollectorThatNeverReadsLosesRecordsAndNeverHoldsUpTheProducer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, LO);
                EventExporter e = new EventExporter(settings(List.of(new InetSocketAddress(LO, server
                        .getLocalPort())), true, List.of(), 1 << 19), System::currentTimeMillis)) {
            Socket accepted = server.accept(); // and never read from
            try (accepted) {
                accepted.setReceiveBufferSize(4096);
                // 400,000 records of 41 bytes: far more than the 1 MiB send buffer and the socket buffers hold
                for (int i = 0; i < 400_000; i++) {
                    e.event(EventRing.CREATED, 17, 0, "public", IN + i, i & 0xffff, OUT, 1025 + (i & 0x7fff), i);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    EventExportStats s = e.stats();
                    return s.queued() == 0 && s.exported() + s.queueFull() == 400_000;
                });
                EventExportStats s = e.stats();
                EventExportStats.Collector c = s.collectors().get(0);
                assertThat(c.lost()).as("records lost to the full send buffer").isPositive();
                assertThat(c.records() + c.lost()).isEqualTo(s.exported());
                assertThat(c.records() * 26).as("what was queued for the collector, bounded by the buffer and the"
                        + " socket").isLessThan(400_000L * 26);
            }
        }
    }

    @Test
    void aCollectorThatIsAbsentIsCountedThenGetsTemplatesFirstWhenItComes() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, LO)) {
            port = probe.getLocalPort();
        }
        AtomicLong now = new AtomicLong(1_000_000);
        try (EventExporter e = new EventExporter(settings(List.of(new InetSocketAddress(LO, port)), true, List.of(),
                1024), now::get)) {
            e.event(EventRing.CREATED, 17, 0, "public", IN, 5000, OUT, 1025, 1);
            await().until(() -> e.stats().collectors().get(0).lost() == 1);
            assertThat(e.stats().collectors().get(0).state()).startsWith("down");
            try (ServerSocket server = new ServerSocket(port, 1, LO)) {
                now.addAndGet(60_000); // past the reconnect backoff
                Socket s = server.accept();
                try (s) {
                    s.setSoTimeout(10_000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    IpfixDecoder d = new IpfixDecoder();
                    d.read(message(in));
                    assertThat(d.templates).containsOnlyKeys(256, 257, 258, 259);
                    await().until(() -> e.stats().collectors().get(0).state().equals("connected"));
                    e.event(EventRing.DELETED, 17, 0, "public", IN, 5000, OUT, 1025, 2);
                    d.read(message(in));
                    assertThat(d.records).hasSize(1);
                    assertThat(d.records.get(0)).containsEntry(230, 2L).containsEntry(227, 1025L);
                    assertThat(d.lastSequence).as("a new transport session counts from 0").isZero();
                }
            }
        }
    }

    @Test
    void portBlockEventsGoOutAsRfc8158PortBlockRecordsAndOneSyslogLine() throws Exception {
        try (DatagramSocket collector = new DatagramSocket(0, LO);
                DatagramSocket syslog = new DatagramSocket(0, LO);
                EventExporter e = new EventExporter(settings(List.of(new InetSocketAddress(LO, collector
                        .getLocalPort())), false, List.of(new InetSocketAddress(LO, syslog.getLocalPort())), 1024),
                        () -> 1_796_647_995_102L)) {
            collector.setSoTimeout(10_000);
            syslog.setSoTimeout(10_000);
            IpfixDecoder d = new IpfixDecoder();
            d.read(datagram(collector)); // the templates at start
            // as a worker records it: the block's size in the inside port, its first port outside
            e.event(EventRing.BLOCK_ALLOCATED, 0, 3, "cgn", IN, 256, OUT, 4096, 1_796_647_995_102L);
            d.read(datagram(collector));
            assertThat(d.recordTemplates).containsExactly(IpfixFormat.TEMPLATE_PORT_BLOCK);
            assertThat(d.records.get(0)).containsEntry(IpfixFormat.IE_NAT_EVENT, 14L)
                    .containsEntry(IpfixFormat.IE_SOURCE_IPV4, Integer.toUnsignedLong(IN))
                    .containsEntry(IpfixFormat.IE_POST_NAT_SOURCE_IPV4, Integer.toUnsignedLong(OUT))
                    .containsEntry(IpfixFormat.IE_PORT_RANGE_START, 4096L)
                    .containsEntry(IpfixFormat.IE_PORT_RANGE_END, 4351L)
                    .containsEntry(IpfixFormat.IE_PORT_RANGE_STEP, 1L)
                    .containsEntry(IpfixFormat.IE_PORT_RANGE_PORTS, 256L)
                    .containsEntry(IpfixFormat.IE_NAT_POOL_ID, 3L)
                    .containsEntry(IpfixFormat.IE_NAT_POOL_NAME, "cgn");
            e.event(EventRing.BLOCK_RELEASED, 0, 3, "cgn", IN, 256, OUT, 4096, 1_796_647_995_103L);
            d.read(datagram(collector));
            assertThat(d.records.get(1)).containsEntry(IpfixFormat.IE_NAT_EVENT, 15L)
                    .containsEntry(IpfixFormat.IE_PORT_RANGE_START, 4096L);
            assertThat(receive(syslog)).matches("<134>1 2026-12-07T12:53:15\\.102Z gw-1 natgw \\d+ block-allocated -"
                    + " inside=198\\.18\\.0\\.2 outside=198\\.19\\.0\\.1:4096-4351 pool=cgn");
            assertThat(receive(syslog)).contains("block-released - inside=198.18.0.2 outside=198.19.0.1:4096-4351");
        }
    }

    @Test
    void udpRepeatsTheTemplatesForACollectorThatStartsLate() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000);
        try (DatagramSocket server = new DatagramSocket(0, LO);
                EventExporter e = new EventExporter(settings(List.of(new InetSocketAddress(LO, server
                        .getLocalPort())), false, List.of(), 1024), now::get)) {
            server.setSoTimeout(10_000);
            IpfixDecoder d = new IpfixDecoder();
            d.read(datagram(server)); // the templates at start
            e.event(EventRing.CREATED, 17, 0, "public", IN, 5000, OUT, 1025, 1);
            d.read(datagram(server));
            assertThat(d.records).hasSize(1);
            // a collector that missed the first templates learns them at the next refresh (1 s here)
            IpfixDecoder late = new IpfixDecoder();
            now.addAndGet(1_000);
            late.read(datagram(server));
            assertThat(late.templates).containsOnlyKeys(256, 257, 258, 259);
            e.event(EventRing.REFUSED_EXHAUSTED, 17, 0, "public", IN, 5001, 0, 0, 2);
            late.read(datagram(server));
            assertThat(late.records.get(0)).containsEntry(230, 3L).containsEntry(7, 5001L);
            assertThat(late.lastSequence).as("records sent before in this session").isEqualTo(1);
        }
    }

    @Test
    void aFullQueueLosesEventsAndCountsThem() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, LO);
                EventExporter e = new EventExporter(settings(List.of(new InetSocketAddress(LO, server
                        .getLocalPort())), false, List.of(), 2), System::currentTimeMillis)) {
            int offered = 0;
            while (e.stats().queueFull() == 0 && offered < 10_000_000) {
                e.event(EventRing.CREATED, 17, 0, "public", IN, offered & 0xffff, OUT, 1025, offered);
                offered++;
            }
            assertThat(e.stats().queueFull()).isPositive();
            int total = offered;
            await().until(() -> e.stats().exported() + e.stats().queueFull() == total);
            assertThat(e.stats().queued()).isZero();
        }
    }

    private static String receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static ByteBuffer datagram(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        s.receive(p);
        return ByteBuffer.wrap(p.getData(), 0, p.getLength()).slice();
    }

    private static ByteBuffer message(DataInputStream in) throws IOException {
        byte[] head = new byte[16];
        in.readFully(head);
        int length = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        byte[] all = new byte[length];
        System.arraycopy(head, 0, all, 0, 16);
        in.readFully(all, 16, length - 16);
        return ByteBuffer.wrap(all);
    }
}
