package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import dev.natgw.nat.fastpath.NatWorker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The established-session fast path on one worker: bursts of 32 inside-to-outside UDP frames of existing
 * sessions, each picked pseudo-randomly over the whole table so the lookups miss the caches as real traffic
 * does. {@link #translate} copies the 32 pristine frames into the burst memory (a NIC would have written
 * them there) and runs {@link NatWorker#process}; {@link #copyOnly} does only the copy, so the translator's
 * own cost per packet is {@code translate - copyOnly}. Scores are ns per packet; Mpps = 1000 / ns. The
 * pristine frames wait in a replay ring of 2^20 frames, each of a session drawn uniformly at random from the
 * whole table, read in order (as a NIC's receive ring is), so the frames stream while the lookups are random.
 *
 * <p>
 * Setup creates the sessions through {@link NatWorker#process} as new flows (UDP needs no SYN), 32 at a
 * time, and prints how long that took. Session {@code k} is inside {@code 198.18.0.0/16} host
 * {@code k mod 65536}, inside port {@code 1024 + k / 65536}, to remote {@code 198.19.128.0 + k mod 4093}
 * port 443, through a /24 pool. At 10M sessions the ring holds at most 2^20 of them (frames for all would
 * take 640 MB more), still spread over the whole table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g",
        "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FastPathBenchmark {
    static final int BURST = 32;
    /** Frames are kept at this stride in the pristine pool. */
    private static final int STRIDE = 64;
    /** Frames in the replay ring (64 MiB). */
    private static final int RING = 1 << 20;

    /** Established sessions in the table. */
    @Param({"1000", "1000000", "10000000"})
    public int sessions;

    /** How the pool allocates ports: per-session or port-blocks. */
    @Param({"per-session", "port-blocks"})
    public String allocation;

    private OneWorkerNat nat;
    private NatWorker worker;
    private Arena arena;
    private MemorySegment burstMemory;
    private PacketBurst burst;
    private MemorySegment pristine;
    private int cursor;
    private long now = 1_000_000_000_000L;

    static int insideAddr(int k) {
        return OneWorkerNat.INSIDE_BASE + (k & 0xffff);
    }

    static int insidePort(int k) {
        return 1024 + (k >>> 16);
    }

    static int remoteAddr(int k) {
        return OneWorkerNat.REMOTE_BASE + k % 4093;
    }

    static final int REMOTE_PORT = 443;

    @Setup(Level.Trial)
    @SuppressWarnings("MustBeClosedChecker") // the arena lives for the trial; tearDown closes it
    public void setUp() {
        UdpFrameWriter writer = new UdpFrameWriter();
        writer.selfCheck();
        arena = Arena.ofShared();
        burstMemory = arena.allocate((long) BURST * PacketBurst.MIN_ROOM, 64);
        burst = new PacketBurst(BURST, burstMemory);
        nat = new OneWorkerNat(sessions, 1024, OneWorkerNat.allocation(allocation));
        worker = nat.worker;

        long t0 = System.nanoTime();
        for (int k = 0; k < sessions; k += BURST) {
            burst.reset(0, 0);
            int n = Math.min(BURST, sessions - k);
            for (int j = 0; j < n; j++) {
                long off = (long) j * PacketBurst.MIN_ROOM;
                writer.write(burstMemory, off, insideAddr(k + j), insidePort(k + j), remoteAddr(k + j), REMOTE_PORT);
                burst.add(0, off, UdpFrameWriter.LENGTH, PortRole.CODE_INSIDE);
            }
            worker.process(burst, now);
            for (int j = 0; j < n; j++) {
                if (burst.verdict(j) != Verdict.TX_OUTSIDE) {
                    worker.tick(now);
                    throw new IllegalStateException("session " + (k + j) + " was not created: verdict "
                            + Verdict.name(burst.verdict(j)) + "; drops " + drops(worker));
                }
            }
        }
        long setupNanos = System.nanoTime() - t0;
        if (worker.sessions() != sessions) {
            throw new IllegalStateException("expected " + sessions + " sessions, the table has " + worker.sessions());
        }
        System.out.printf("%nsetup: %,d sessions created through NatWorker.process in %.2f s (%.0f ns/session);"
                + " session table %,d bytes off-heap%n", sessions, setupNanos / 1e9, (double) setupNanos / sessions,
                worker.bytes());

        // the replay ring: frames of sessions drawn uniformly at random, read in order as a NIC's ring is
        pristine = arena.allocate((long) RING * STRIDE, 64);
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < RING; i++) {
            int k = r.nextInt(sessions);
            writer.write(pristine, (long) i * STRIDE, insideAddr(k), insidePort(k), remoteAddr(k), REMOTE_PORT);
        }
        cursor = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        worker.tick(now);
        long in2out = worker.counter(CounterIndex.IN2OUT);
        String drops = drops(worker);
        long created = worker.counter(CounterIndex.CREATED);
        System.out.printf("%nteardown: %,d packets translated in all, %,d sessions created (setup only: %,d), drops"
                + " %s%n", in2out, created, sessions, drops.isEmpty() ? "none" : drops);
        try {
            if (created != sessions || worker.sessions() != sessions || !drops.isEmpty()) {
                throw new IllegalStateException("the measured packets did not all hit established sessions");
            }
        } finally {
            nat.close();
            arena.close();
        }
    }

    /**
     * The worker's non-zero drop counters as last published by a tick, except event-log-full: the event ring
     * overflows whenever sessions are made faster than the logging thread drains it, which is not a packet drop.
     */
    static String drops(NatWorker w) {
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < Drops.COUNT; d++) {
            long n = w.counter(CounterIndex.DROPS + d);
            if (n != 0 && d != Drops.EVENT_LOG_FULL) {
                sb.append(sb.isEmpty() ? "" : ", ").append(Drops.name(d)).append('=').append(n);
            }
        }
        return sb.toString();
    }

    /** Copies the next 32 pristine frames into the burst, as the NIC's receive would. */
    private void fill() {
        PacketBurst b = burst;
        b.reset(0, 0);
        long from = (long) cursor * STRIDE;
        for (int j = 0; j < BURST; j++) {
            long off = (long) j * PacketBurst.MIN_ROOM;
            MemorySegment.copy(pristine, from + (long) j * STRIDE, burstMemory, off, UdpFrameWriter.LENGTH);
            b.add(0, off, UdpFrameWriter.LENGTH, PortRole.CODE_INSIDE);
        }
        cursor = cursor + BURST == RING ? 0 : cursor + BURST;
    }

    /** Copy plus translation of 32 packets; the score is per packet. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void translate() {
        fill();
        now += 1_000;
        worker.process(burst, now);
    }

    /** The baseline: the copy alone. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int copyOnly() {
        fill();
        return burst.size();
    }
}
