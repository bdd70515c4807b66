package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.fastpath.NatWorker;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.testing.Fragmenter;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of translating fragments, per packet, on one worker with 1,024 established UDP sessions: bursts of 32
 * frames that are 8 datagrams of 4 fragments each (24 bytes of IP payload per fragment, so the copy stays small),
 * every datagram with a fresh IP identification, so each burst makes 8 fragment states and frees them when the
 * datagram's last byte went through. {@link #inOrder} sends each datagram's fragments first to last;
 * {@link #outOfOrder} last to first, so three of every four are held and appended to the burst after their first.
 * {@link #whole} translates 32 unfragmented datagrams of the same sessions and {@link #copyOnly} only copies the
 * frames in, so the fragment path's own cost per packet is {@code inOrder - copyOnly}, against
 * {@code whole - copyOnly} for whole packets. Scores are ns per packet received.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FragmentBenchmark {
    static final int BURST = 32;
    private static final int SESSIONS = 1024;
    private static final int PER_DATAGRAM = 4;
    private static final int STRIDE = 128;
    /** Bursts of pristine frames in each ring; identifications run over 4,096 * 8 datagrams before they repeat. */
    private static final int BURSTS = 4096;

    private OneWorkerNat nat;
    private NatWorker worker;
    private Arena arena;
    private MemorySegment burstMemory;
    private PacketBurst burst;
    private MemorySegment inOrderRing;
    private MemorySegment outOfOrderRing;
    private MemorySegment wholeRing;
    private int[] lengths;
    private int[] wholeLengths;
    private int cursor;
    private long now = 1_000_000_000_000L;

    static int insideAddr(int k) {
        return OneWorkerNat.INSIDE_BASE + 1 + k;
    }

    static int remoteAddr(int k) {
        return OneWorkerNat.REMOTE_BASE + k % 61;
    }

    @Setup(Level.Trial)
    @SuppressWarnings("MustBeClosedChecker") // the arena lives for the trial; tearDown closes it
    public void setUp() {
        arena = Arena.ofShared();
        // a received burst and the frames a stage appends, as the DPDK worker's burst has room for
        burstMemory = arena.allocate((long) 2 * BURST * PacketBurst.MIN_ROOM, 64);
        burst = new PacketBurst(2 * BURST, burstMemory);
        nat = new OneWorkerNat(SESSIONS * 2);
        worker = nat.worker;
        for (int k = 0; k < SESSIONS; k += BURST) {
            burst.reset(0, 0);
            for (int j = 0; j < BURST; j++) {
                byte[] f = Frames.udp(insideAddr(k + j), 5000, remoteAddr(k + j), 53).build();
                long off = (long) j * PacketBurst.MIN_ROOM;
                MemorySegment.copy(MemorySegment.ofArray(f), 0, burstMemory, off, f.length);
                burst.add(0, off, f.length, PortRole.CODE_INSIDE);
            }
            worker.process(burst, now);
            for (int j = 0; j < BURST; j++) {
                if (burst.verdict(j) != Verdict.TX_OUTSIDE) {
                    throw new IllegalStateException("session " + (k + j) + " not created");
                }
            }
        }
        int frames = BURSTS * BURST;
        inOrderRing = arena.allocate((long) frames * STRIDE, 64);
        outOfOrderRing = arena.allocate((long) frames * STRIDE, 64);
        wholeRing = arena.allocate((long) frames * STRIDE, 64);
        lengths = new int[frames];
        wholeLengths = new int[frames];
        int datagram = 0;
        for (int i = 0; i < frames; i += PER_DATAGRAM, datagram++) {
            int k = datagram % SESSIONS;
            byte[] d = Frames.udp(insideAddr(k), 5000, remoteAddr(k), 53).identification(datagram & 0xffff)
                    .payload(new byte[PER_DATAGRAM * 24 - 8]).build();
            List<byte[]> pieces = new ArrayList<>(Fragmenter.split(d, 24));
            for (int p = 0; p < PER_DATAGRAM; p++) {
                byte[] f = pieces.get(p);
                byte[] back = pieces.get(PER_DATAGRAM - 1 - p);
                MemorySegment.copy(MemorySegment.ofArray(f), 0, inOrderRing, (long) (i + p) * STRIDE, f.length);
                MemorySegment.copy(MemorySegment.ofArray(back), 0, outOfOrderRing, (long) (i + p) * STRIDE,
                        back.length);
                lengths[i + p] = f.length;
                byte[] w = Frames.udp(insideAddr((i + p) % SESSIONS), 5000, remoteAddr((i + p) % SESSIONS), 53)
                        .payload(new byte[16]).build();
                MemorySegment.copy(MemorySegment.ofArray(w), 0, wholeRing, (long) (i + p) * STRIDE, w.length);
                wholeLengths[i + p] = w.length;
            }
        }
        cursor = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        worker.tick(now);
        String drops = FastPathBenchmark.drops(worker);
        System.out.printf("%nteardown: %,d packets translated, fragment states left %d, held %d, drops %s%n",
                worker.counter(CounterIndex.IN2OUT), worker.fragmentStates(), worker.fragmentsHeld(),
                drops.isEmpty() ? "none" : drops);
        try {
            if (!drops.isEmpty() || worker.fragmentStates() != 0 || worker.fragmentsHeld() != 0) {
                throw new IllegalStateException("the measured fragments did not all go through");
            }
        } finally {
            nat.close();
            arena.close();
        }
    }

    private void fill(MemorySegment ring, int[] len) {
        PacketBurst b = burst;
        b.reset(0, 0);
        int first = cursor * BURST;
        for (int j = 0; j < BURST; j++) {
            long off = (long) j * PacketBurst.MIN_ROOM;
            MemorySegment.copy(ring, (long) (first + j) * STRIDE, burstMemory, off, len[first + j]);
            b.add(0, off, len[first + j], PortRole.CODE_INSIDE);
        }
        cursor = cursor + 1 == BURSTS ? 0 : cursor + 1;
    }

    /** 8 datagrams of 4 fragments, first to last; the score is per fragment. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void inOrder() {
        fill(inOrderRing, lengths);
        now += 1_000;
        worker.process(burst, now);
    }

    /** 8 datagrams of 4 fragments, last to first: three of four held, then appended; the score is per fragment. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void outOfOrder() {
        fill(outOfOrderRing, lengths);
        now += 1_000;
        worker.process(burst, now);
    }

    /** 32 whole datagrams of established sessions, the same size as a fragment. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void whole() {
        fill(wholeRing, wholeLengths);
        now += 1_000;
        worker.process(burst, now);
    }

    /** The baseline: the copy alone. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int copyOnly() {
        fill(inOrderRing, lengths);
        return burst.size();
    }
}
