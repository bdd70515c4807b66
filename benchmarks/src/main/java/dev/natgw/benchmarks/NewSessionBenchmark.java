package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.nat.fastpath.NatWorker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * New UDP sessions per second on one worker: each invocation writes 32 frames of fresh 5-tuples into the burst
 * and runs {@link NatWorker#process}, which looks each one up, misses, checks its UDP checksum, allocates an
 * RSS-affine port, adds the mapping and the session and schedules its expiry. The score is sessions/s.
 * {@link #generateOnly} writes the frames without processing them, the generator's own cost.
 *
 * <p>
 * Every iteration gets a fresh translator with room for {@value #CAPACITY} sessions and a /24 pool (256
 * addresses x 64511 ports); its teardown checks that every packet of the iteration made a session, and fails
 * the run if the table filled up (it would take more than 8M sessions/s to get there in a 1 s iteration).
 * Tuple {@code n}: inside {@code 198.18.0.0/16} host {@code n mod 65536}, port {@code 1024 + n / 65536}, to
 * remote {@code 198.19.128.0 + (n / 16 mod 4096)} port {@code 443 + n mod 16}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g",
        "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class NewSessionBenchmark {
    static final int BURST = 32;
    static final int CAPACITY = 8 << 20;

    /** How the pool allocates ports: per-session or port-blocks. */
    @Param({"per-session", "port-blocks"})
    public String allocation;

    private UdpFrameWriter writer;
    private Arena arena;
    private MemorySegment burstMemory;
    private PacketBurst burst;
    private OneWorkerNat nat;
    private NatWorker worker;
    private int next;
    private long now = 1_000_000_000_000L;

    @Setup(Level.Trial)
    @SuppressWarnings("MustBeClosedChecker") // the arena lives for the trial; the tear-down closes it
    public void setUpTrial() {
        writer = new UdpFrameWriter();
        writer.selfCheck();
        arena = Arena.ofShared();
        burstMemory = arena.allocate((long) BURST * PacketBurst.MIN_ROOM, 64);
        burst = new PacketBurst(BURST, burstMemory);
    }

    @Setup(Level.Iteration)
    public void setUpIteration(BenchmarkParams params) {
        next = 0;
        if (params.getBenchmark().endsWith(".newSessions")) {
            nat = new OneWorkerNat(CAPACITY, 1024, OneWorkerNat.allocation(allocation));
            worker = nat.worker;
        }
    }

    @TearDown(Level.Iteration)
    public void tearDownIteration() {
        if (nat == null) {
            return;
        }
        try {
            if (worker.sessions() != next) {
                worker.tick(now);
                throw new IllegalStateException("only " + worker.sessions() + " of " + next
                        + " new flows made a session; drops " + FastPathBenchmark.drops(worker));
            }
        } finally {
            nat.close();
            nat = null;
            worker = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        arena.close();
    }

    /** Writes the next 32 fresh tuples into the burst. */
    private void generate() {
        next = fresh(writer, burst, burstMemory, next);
    }

    /**
     * Writes {@value #BURST} frames of fresh tuples, from tuple {@code n} on, into a burst.
     *
     * @return the next tuple; wraps only far beyond the table's capacity (which the teardown reports)
     */
    static int fresh(UdpFrameWriter writer, PacketBurst b, MemorySegment memory, int n) {
        b.reset(0, 0);
        for (int j = 0; j < BURST; j++, n++) {
            long off = (long) j * PacketBurst.MIN_ROOM;
            writer.write(memory, off, OneWorkerNat.INSIDE_BASE + (n & 0xffff), 1024 + (n >>> 16),
                    OneWorkerNat.REMOTE_BASE + (n >>> 4 & 0xfff), 443 + (n & 15));
            b.add(0, off, UdpFrameWriter.LENGTH, PortRole.CODE_INSIDE);
        }
        return n >= 1 << 30 ? 0 : n;
    }

    /** 32 new sessions; the score is sessions per second. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void newSessions() {
        generate();
        now += 1_000;
        worker.process(burst, now);
    }

    /** The baseline: the frames are written and not processed. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int generateOnly() {
        generate();
        return burst.size();
    }
}
