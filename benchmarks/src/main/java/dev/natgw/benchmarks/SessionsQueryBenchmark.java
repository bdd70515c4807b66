package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.nat.fastpath.NatWorker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * What one query of the console's Sessions view costs at many sessions: {@link #consoleQuery} asks the translator for
 * at most 10,000 sessions, as the view does with its default {@code sessions.grid.max}, against the baseline
 * {@link #everySession}, which copies the whole table (what a grid that pages by offset over all sessions, or counts
 * them exactly, would need). {@link #oneInsideHost} is a selective filter (one inside host's sessions), which makes
 * the worker scan until it has found them. The sessions are made as in {@link FastPathBenchmark}; a ticker thread
 * plays the idle worker that answers control requests between bursts. Scores are milliseconds per query.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class SessionsQueryBenchmark {
    /** The console's default {@code sessions.grid.max}. */
    static final int GRID_MAX = 10_000;

    /** Sessions in the table. */
    @Param({"100000", "1000000"})
    public int sessions;

    private OneWorkerNat nat;
    private Thread ticker;
    private volatile boolean ticking;
    private SessionFilter oneHost;

    @Setup(Level.Trial)
    public void setUp() {
        UdpFrameWriter writer = new UdpFrameWriter();
        writer.selfCheck();
        nat = new OneWorkerNat(sessions);
        NatWorker worker = nat.worker;
        long now = 1_000_000_000_000L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate((long) FastPathBenchmark.BURST * PacketBurst.MIN_ROOM, 64);
            PacketBurst burst = new PacketBurst(FastPathBenchmark.BURST, memory);
            for (int k = 0; k < sessions; k += FastPathBenchmark.BURST) {
                burst.reset(0, 0);
                int n = Math.min(FastPathBenchmark.BURST, sessions - k);
                for (int j = 0; j < n; j++) {
                    long off = (long) j * PacketBurst.MIN_ROOM;
                    writer.write(memory, off, FastPathBenchmark.insideAddr(k + j), FastPathBenchmark.insidePort(k
                            + j), FastPathBenchmark.remoteAddr(k + j), FastPathBenchmark.REMOTE_PORT);
                    burst.add(0, off, UdpFrameWriter.LENGTH, PortRole.CODE_INSIDE);
                }
                worker.process(burst, now);
                if (burst.verdict(0) != Verdict.TX_OUTSIDE) {
                    throw new IllegalStateException("session " + k + " was not created");
                }
            }
        }
        if (worker.sessions() != sessions) {
            throw new IllegalStateException("expected " + sessions + " sessions, the table has " + worker.sessions());
        }
        // sessions k = 7, 7 + 65536, ... share inside host 7: sessions / 65536 of them
        oneHost = new SessionFilter(null, FastPathBenchmark.insideAddr(7), null, null);
        ticking = true;
        long t = now;
        ticker = Thread.ofPlatform().name("bench-idle-worker").daemon().start(() -> {
            while (ticking) {
                worker.tick(t);
                LockSupport.parkNanos(20_000);
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        ticking = false;
        ticker.join(5_000);
        nat.close();
    }

    @Benchmark
    public List<SessionInfo> consoleQuery() {
        List<SessionInfo> out = nat.nat.sessions(SessionFilter.ALL, GRID_MAX);
        if (out.size() != Math.min(GRID_MAX, sessions)) {
            throw new IllegalStateException("got " + out.size());
        }
        return out;
    }

    @Benchmark
    public List<SessionInfo> everySession() {
        List<SessionInfo> out = nat.nat.sessions(SessionFilter.ALL, sessions);
        if (out.size() != sessions) {
            throw new IllegalStateException("got " + out.size());
        }
        return out;
    }

    @Benchmark
    public List<SessionInfo> oneInsideHost() {
        return nat.nat.sessions(oneHost, GRID_MAX);
    }
}
