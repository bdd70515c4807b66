package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.nat.fastpath.PortAllocator;
import dev.natgw.nat.fastpath.PortOwnership;
import dev.natgw.nat.fastpath.Toeplitz;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Port allocation in steady state, the classic allocator ({@link ClassicAllocator}: one free list, one lock,
 * a linear scan hashing each candidate with the bit-by-bit {@link SoftRss}) against ours (one
 * {@link PortAllocator} per core over a shared {@link PortOwnership}, hold-down 0, so {@code tick} has nothing
 * to do and is not called). Four simulated cores on one thread, one global address, ports 1025..65534 for
 * both, the same Toeplitz key and 128-entry RETA (one queue per core). Setup makes {@code flows} allocations
 * (random remote address and port, random core); each operation then releases one random live flow and
 * allocates a new one for a random core and remote. Scores are ns per release+allocate; the two methods run
 * in the same JMH run, and {@code benchmarks/run} prints their ratio.
 *
 * <p>
 * With 60000 flows each core holds about 15000 ports (binomial, sd about 106) of the about 16127 that each of
 * our allocators owns on the one address, so ours never runs out; a failed allocation in either allocator
 * fails the run in the teardown rather than being timed as a fast miss.
 *
 * <p>
 * The classic allocator has no steady state: each allocation takes the first free port of the label its
 * flow needs (the low RETA bits of the port's hash part), releases go to the tail, so the labels'
 * depletion fronts drift apart like a random walk and the mean scan keeps growing with the run's length,
 * and is longest with the most free ports. The teardown prints the mean scan; compare runs of equal length.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class AllocatorBenchmark {
    static final int CORES = 4;
    static final int GLOBAL = Ipv4.parse("198.19.1.1");
    private static final int UDP = PortAllocator.UDP;

    /** Concurrent flows. */
    @Param({"2000", "20000", "60000"})
    public int flows;

    private ClassicAllocator classic;
    private int[] classicPort;

    private PortAllocator[] ours;
    private int[] oursPort;
    private int[] oursCore;

    private long seed;
    private long failures;

    @Setup(Level.Trial)
    public void setUp() {
        RssConfig rss = RssConfig.symmetricDefault(CORES);
        int[] coreForQueue = new int[rss.queues()];
        for (int q = 0; q < coreForQueue.length; q++) {
            coreForQueue[q] = q;
        }
        Toeplitz t = new Toeplitz(rss.key());
        SoftRss soft = new SoftRss(rss.key());
        SplittableRandom check = new SplittableRandom(1);
        for (int k = 0; k < 10_000; k++) {
            int s = check.nextInt();
            int d = check.nextInt();
            int sp = check.nextInt(65536);
            int dp = check.nextInt(65536);
            if (soft.hash(s, d, sp, dp) != t.hash(s, d, sp, dp)) {
                throw new IllegalStateException(
                        "SoftRss and Toeplitz disagree on " + s + " " + d + " " + sp + " " + dp);
            }
        }
        classic = new ClassicAllocator(GLOBAL, soft, rss.redirectionTable(), coreForQueue);
        PortOwnership own = new PortOwnership(t, rss, coreForQueue, ClassicAllocator.PORT_MIN,
                ClassicAllocator.PORT_MAX);
        ours = new PortAllocator[CORES];
        for (int c = 0; c < CORES; c++) {
            ours[c] = new PortAllocator(own, t, c, new int[]{GLOBAL}, 0);
        }

        // the same initial flows for both
        SplittableRandom r = new SplittableRandom(2);
        classicPort = new int[flows];
        oursPort = new int[flows];
        oursCore = new int[flows];
        for (int i = 0; i < flows; i++) {
            int core = r.nextInt(CORES);
            int remote = r.nextInt();
            int remotePort = 1 + r.nextInt(65535);
            classicPort[i] = classic.allocate(core, remote, remotePort);
            oursPort[i] = ours[core].allocate(UDP, 0, remote, remotePort);
            oursCore[i] = core;
            if (classicPort[i] < 0 || oursPort[i] < 0) {
                throw new IllegalStateException("setup: flow " + i + " got no port (classic " + classicPort[i]
                        + ", ours " + oursPort[i] + ")");
            }
        }
        seed = 0x9E3779B97F4A7C15L;
        failures = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long hits = 0;
        long misses = 0;
        for (PortAllocator a : ours) {
            hits += a.affinityHits();
            misses += a.affinityMisses();
        }
        System.out.printf("%nteardown: classic mean scan %.2f ports per allocation; ours affinity hits %,d,"
                + " misses %,d; failed allocations %,d%n", classic.meanScan(), hits, misses, failures);
        if (failures != 0) {
            throw new IllegalStateException(failures + " allocations failed");
        }
    }

    /** xorshift64*: the same cheap random stream drives both benchmarks. */
    private long random() {
        long x = seed;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        seed = x;
        return x * 0x2545F4914F6CDD1DL;
    }

    /** A remote port 1..65535 from the high half of a random number. */
    private static int remotePort(long b) {
        return 1 + (int) (((b >>> 32) * 65535) >>> 32);
    }

    /** Releases a random flow and allocates a new one in the classic allocator. */
    @Benchmark
    public int classic() {
        long a = random();
        long b = random();
        int i = (int) (((a >>> 32) * flows) >>> 32);
        if (classicPort[i] >= 0) {
            classic.release(classicPort[i]);
        }
        int port = classic.allocate((int) a & (CORES - 1), (int) b, remotePort(b));
        if (port < 0) {
            failures++;
        }
        classicPort[i] = port;
        return port;
    }

    /** Releases a random flow and allocates a new one in ours. */
    @Benchmark
    public int ours() {
        long a = random();
        long b = random();
        int i = (int) (((a >>> 32) * flows) >>> 32);
        if (oursPort[i] >= 0) {
            ours[oursCore[i]].release(UDP, 0, oursPort[i], 0);
        }
        int core = (int) a & (CORES - 1);
        int port = ours[core].allocate(UDP, 0, (int) b, remotePort(b));
        if (port < 0) {
            failures++;
        }
        oursPort[i] = port;
        oursCore[i] = core;
        return port;
    }
}
