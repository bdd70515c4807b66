package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.dataplane.internal.DataplaneConfig;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dataplane's Java worker loop against the shim's C loop doing the same work, in the same process,
 * on the same CPU, on the same devices, in alternating rounds:
 *
 * <ul>
 * <li>ring: two in-process ring ports, each sending to itself, with 512 packets circulating between
 * them (rx from one, work, tx to the other);
 * <li>null: two net_null ports, whose receive makes fresh mbufs and whose transmit frees them; each
 * received frame first gets a copy of a 60-byte UDP frame (both loops), since net_null frames are empty.
 * </ul>
 * Work: forward = Ethernet rewrite + TTL decrement with checksum update (L3 forwarding); napt = that plus
 * the source address and port rewritten with IP and UDP checksums updated incrementally. The Java side
 * is the real {@link Worker} with the gateway (which also parses, checks the destination and looks the
 * next hop's MAC up) and a stage doing the rewrite.
 *
 * <p>
 * Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.natgw.dataplane.dpdk.LoopBench
 * [seconds] [rounds] [cpu]}
 */
public final class LoopBench {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int SRC = Frames.ip("198.18.0.2");
    static final int DST = Frames.ip("198.19.1.1");
    static final int GLOBAL = Frames.ip("198.19.0.1");
    static final byte[] FRAME = Frames.udp(SRC, 1234, DST, 7).payload(new byte[18]).build();

    private LoopBench() {
    }

    public static void main(String[] args) throws Throwable {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int cpu = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors() - 1;
        System.out.println(
                "EAL: " + Eal.ensure(DataplaneSettings.of(ConfigProxy.of(DataplaneConfig.class, Map.of())).ealArgs()));
        System.out.printf(Locale.ROOT, "LoopBench: %s s per measurement, %d rounds, CPU %d, bursts of 32%n", seconds,
                rounds, cpu);
        for (String device : new String[]{"ring", "null"}) {
            for (String work : new String[]{"forward", "napt"}) {
                List<Double> c = new ArrayList<>();
                List<Double> java = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    c.add(cLoop(device, work, seconds, cpu));
                    java.add(javaLoop(device, work, seconds, cpu));
                }
                double cm = median(c);
                double jm = median(java);
                System.out.printf(Locale.ROOT,
                        "loop %s %s: C %.1f ns/packet (%.2f Mpps), Java %.1f ns/packet (%.2f Mpps),"
                                + " Java/C throughput %.2f  [C %s, Java %s]%n",
                        device, work, cm, 1000 / cm, jm, 1000 / jm, cm / jm, fmt(c), fmt(java));
            }
        }
    }

    static String fmt(List<Double> xs) {
        return xs.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList().toString();
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }

    static String dev(String device, String name) {
        return device.equals("ring") ? "ring:" + name + ",loop" : "net_null_" + name + ",size=60";
    }

    static void fill(Port port, String ring) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ptrs = arena.allocate(ValueLayout.ADDRESS, 32);
            MemorySegment r = (MemorySegment) Dpdk.RING_LOOKUP.invokeExact(arena.allocateFrom(ring + "_rx"));
            MemorySegment frame = arena.allocateFrom(ValueLayout.JAVA_BYTE, FRAME);
            for (int k = 0; k < 16; k++) {
                int rc = (int) Dpdk.FILL.invokeExact(port.pool(), ptrs, 32, frame, (short) FRAME.length);
                if (rc != 32) {
                    throw new IllegalStateException("fill: " + rc);
                }
                int n = (int) Dpdk.RING_ENQUEUE.invokeExact(r, ptrs, 32);
                if (n != 32) {
                    throw new IllegalStateException("enqueue: " + n);
                }
            }
        }
    }

    static double cLoop(String device, String work, double seconds, int cpu) throws Throwable {
        double[] result = new double[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            RssConfig rss = RssConfig.symmetricDefault(1);
            Port a = Port.open("a", PortRole.INSIDE, dev(device, "lba"), 1, 1500, 8191, rss);
            Port b = Port.open("b", PortRole.OUTSIDE, dev(device, "lbb"), 1, 1500, 8191, rss);
            try (Arena arena = Arena.ofConfined()) {
                int registered = (int) Dpdk.THREAD_REGISTER.invokeExact();
                Affinity.pin(cpu);
                if (device.equals("ring")) {
                    fill(a, "lba");
                }
                MemorySegment tmpl = device.equals("null")
                        ? arena.allocateFrom(ValueLayout.JAVA_BYTE, FRAME)
                        : MemorySegment.NULL;
                MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 8);
                int mode = work.equals("napt") ? 1 : 0;
                int globalBe = Integer.reverseBytes(GLOBAL);
                // warm up, then measure a packet count that takes about the wanted time
                long n = 1_000_000;
                long ignored = (long) Dpdk.BENCH_LOOP.invokeExact(a.id, b.id, mode, n, Long.MAX_VALUE, globalBe, tmpl,
                        (short) FRAME.length, out);
                double ns = out.getAtIndex(ValueLayout.JAVA_LONG, 3) * 1e9
                        / out.getAtIndex(ValueLayout.JAVA_LONG, 4) / out.getAtIndex(ValueLayout.JAVA_LONG, 0);
                n = (long) (seconds * 1e9 / ns);
                ignored = (long) Dpdk.BENCH_LOOP.invokeExact(a.id, b.id, mode, n, Long.MAX_VALUE, globalBe, tmpl,
                        (short) FRAME.length, out);
                result[0] = out.getAtIndex(ValueLayout.JAVA_LONG, 3) * 1e9 / out.getAtIndex(ValueLayout.JAVA_LONG, 4)
                        / out.getAtIndex(ValueLayout.JAVA_LONG, 0);
                if (registered == 0) {
                    Dpdk.THREAD_UNREGISTER.invokeExact();
                }
            } catch (Throwable e) {
                failure[0] = e;
            } finally {
                a.close();
                b.close();
            }
        });
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    static double javaLoop(String device, String work, double seconds, int cpu) throws Throwable {
        Engine engine = new Engine(DataplaneSettings.of(ConfigProxy.of(DataplaneConfig.class, Map.of("inside.device",
                dev(device, "lba"), "outside.device", dev(device, "lbb"), "inside.gateway", "198.18.0.254",
                "workers.cpus", String.valueOf(cpu), "idle.sleep.micros", 0))));
        if (device.equals("null")) {
            engine.setPreGatewayStage(new TemplateStage());
        }
        engine.start();
        try {
            engine.learnNeighbour(0, Frames.ip("198.18.0.254"), 0x02_00_00_00_00_02L);
            engine.learnNeighbour(1, Frames.ip("198.19.0.2"), 0x02_00_00_00_00_03L);
            engine.addStage(new RewriteStage(work.equals("napt")), "bench", 500, 1);
            if (device.equals("ring")) {
                fill(engine.port(PortRole.INSIDE), "lba");
            }
            Thread.sleep(1000);
            long p0 = engine.workerPackets()[0];
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long p1 = engine.workerPackets()[0];
            long t1 = System.nanoTime();
            Map<String, Long> counters = engine.counters();
            long drops = counters.entrySet().stream().filter(e -> e.getKey().startsWith("drop-"))
                    .mapToLong(Map.Entry::getValue).sum();
            if (drops > 0 && device.equals("ring")) {
                System.out.println("  (Java " + device + " " + work + " dropped: " + counters + ")");
            }
            return (t1 - t0) / (double) (p1 - p0);
        } finally {
            engine.stop();
        }
    }

    /** The Java side's work after the gateway: the NAPT rewrite and the way out. */
    static final class RewriteStage implements PacketStage {
        private final boolean napt;

        RewriteStage(boolean napt) {
            this.napt = napt;
        }

        @Override
        public void process(PacketBurst b) {
            MemorySegment m = b.memory();
            int n = b.size();
            for (int i = 0; i < n; i++) {
                if (b.verdict(i) != Verdict.PASS) {
                    continue;
                }
                long ip = b.dataOffset(i) + 14;
                if (napt) {
                    rewrite(m, ip);
                }
                keepTtl(m, ip);
                b.setVerdict(i, b.inPort(i) == 0 ? Verdict.TX_OUTSIDE : Verdict.TX_INSIDE);
            }
        }

        private static void rewrite(MemorySegment m, long ip) {
            int oldSrc = m.get(U32, ip + 12);
            int csum = m.get(U16, ip + 10) & 0xffff;
            m.set(U32, ip + 12, GLOBAL);
            m.set(U16, ip + 10, (short) update32(csum, oldSrc, GLOBAL));
            long l4 = ip + 20;
            int oldPort = m.get(U16, l4) & 0xffff;
            int newPort = 1024 + (oldPort & 0x3fff);
            int l4sum = m.get(U16, l4 + 6) & 0xffff;
            l4sum = update32(l4sum, oldSrc, GLOBAL);
            l4sum = update16(l4sum, oldPort, newPort);
            m.set(U16, l4, (short) newPort);
            m.set(U16, l4 + 6, (short) l4sum);
        }

        /** Circulating ring packets would expire: gives them their TTL back (1 pass in 60). */
        private static void keepTtl(MemorySegment m, long ip) {
            int ttl = m.get(ValueLayout.JAVA_BYTE, ip + 8) & 0xff;
            if (ttl < 3) {
                m.set(ValueLayout.JAVA_BYTE, ip + 8, (byte) 64);
                m.set(U16, ip + 10, (short) update16(m.get(U16, ip + 10) & 0xffff, ttl << 8 | 17, 64 << 8 | 17));
            }
        }

        static int update16(int sum, int old16, int new16) {
            int s = (~sum & 0xffff) + (~old16 & 0xffff) + new16;
            s = (s & 0xffff) + (s >>> 16);
            s = (s & 0xffff) + (s >>> 16);
            return ~s & 0xffff;
        }

        static int update32(int sum, int old32, int new32) {
            return update16(update16(sum, old32 >>> 16, new32 >>> 16), old32 & 0xffff, new32 & 0xffff);
        }
    }

    /** net_null frames have no content: copies the UDP frame into each, before the gateway sees it. */
    static final class TemplateStage implements PacketStage {
        private final MemorySegment template = Arena.global().allocateFrom(ValueLayout.JAVA_BYTE, FRAME);

        @Override
        public void process(PacketBurst b) {
            MemorySegment m = b.memory();
            for (int i = 0; i < b.size(); i++) {
                MemorySegment.copy(template, 0, m, b.dataOffset(i), FRAME.length);
                b.setLength(i, FRAME.length);
            }
        }
    }
}
