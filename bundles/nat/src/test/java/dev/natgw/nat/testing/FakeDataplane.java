package dev.natgw.nat.testing;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.fastpath.Toeplitz;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A dataplane without a NIC for tests and benchmarks: it plays the NIC's RSS (Toeplitz over the frame's
 * IPv4 addresses and TCP/UDP ports, the symmetric default key, RETA round-robin over one queue per
 * worker), runs bursts of up to 32 frames through a stage per worker, moves HANDOFF slots to their
 * target worker as the real dataplane's rings do, ticks the workers, and keeps what was transmitted on
 * each side. Time is a manual clock that {@link #advance} moves. The workers take turns on one lock: the
 * caller's thread runs bursts, and a ticker thread ticks every worker each millisecond (as idle workers
 * are ticked) so that control requests are answered while the caller waits for them. {@link #close()}
 * stops the ticker.
 */
public final class FakeDataplane implements StageContext, AutoCloseable {
    /** A frame a worker transmitted or dropped. */
    public record Out(byte[] frame, int worker) {
    }

    private record In(byte[] frame, byte inPort, int from) {
    }

    private final int workers;
    private final RssConfig rss;
    private final Toeplitz toeplitz;
    private final List<ArrayDeque<In>> rx = new ArrayList<>();
    /** Buffers, as a pool: a frame keeps its buffer while a stage holds it ({@link Verdict#STOLEN}). */
    private static final int BUFFERS = 1024;
    private final MemorySegment memory = MemorySegment.ofArray(new byte[BUFFERS * PacketBurst.MIN_ROOM]);
    private final int[] freeBuffers = new int[BUFFERS];
    private int freeCount;
    private int stolen;
    /** Twice a received burst's frames, as the DPDK worker's: a stage may append frames it held before. */
    private final PacketBurst burst = new PacketBurst(2 * PacketBurst.DEFAULT_BURST, memory);
    private final Object turn = new Object();
    private PacketStage stage;
    /**
     * 2^60 ns (36 years): later than any machine's {@link System#nanoTime()}, so a translator a test forgot to put
     * on this clock sees its sessions due at the first tick and fails at once, not only on a machine booted minutes
     * ago (HandOverTest failed that way when the manual clock started at 1,000 s).
     */
    private long now = 1L << 60;
    private Thread ticker;
    private volatile boolean ticking;

    /** Frames sent out of the inside port. */
    public final List<Out> toInside = new ArrayList<>();
    /** Frames sent out of the outside port. */
    public final List<Out> toOutside = new ArrayList<>();
    /** Frames dropped by the stage. */
    public final List<Out> dropped = new ArrayList<>();
    /** Frames no stage took (verdict still PASS at the end). */
    public final List<Out> unclaimed = new ArrayList<>();
    /** Frames the stage handed to another worker, and on which worker each was first received. */
    public final List<Out> handedOff = new ArrayList<>();

    /**
     * Makes a dataplane with one receive queue per worker.
     *
     * @param workers the number of workers, 1..128
     */
    public FakeDataplane(int workers) {
        this.workers = workers;
        this.rss = RssConfig.symmetricDefault(workers);
        this.toeplitz = new Toeplitz(rss.key());
        for (int k = BUFFERS - 1; k >= 0; k--) {
            freeBuffers[freeCount++] = k;
        }
        for (int w = 0; w < workers; w++) {
            rx.add(new ArrayDeque<>());
        }
    }

    /**
     * Attaches a stage, as the dataplane does when the stage service appears.
     *
     * @param s the stage
     */
    public void attach(PacketStage s) {
        synchronized (turn) {
            s.attach(this);
            this.stage = s;
        }
        ticking = true;
        ticker = Thread.ofPlatform().name("fake-dataplane-ticker").daemon().start(() -> {
            while (ticking) {
                synchronized (turn) {
                    for (int w = 0; w < workers; w++) {
                        stage.tick(w, now);
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        });
    }

    /**
     * Replaces the attached stage with another of the same name in one step, as the dataplane does when a
     * bundle update publishes the new stage: the new one is attached while the old one may still run, takes
     * over between two bursts, and the old one is detached after.
     *
     * @param next the new stage
     */
    public void replace(PacketStage next) {
        PacketStage old;
        synchronized (turn) {
            next.attach(this);
            old = stage;
            stage = next;
        }
        old.detach();
    }

    /** Stops the ticker and detaches the stage. */
    @Override
    public void close() {
        ticking = false;
        if (ticker != null) {
            try {
                ticker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (turn) {
            if (stage != null) {
                stage.detach();
                stage = null;
            }
        }
    }

    /** {@return the manual clock, for the stage's own reads of the time} */
    public LongSupplier clock() {
        return () -> {
            synchronized (turn) {
                return now;
            }
        };
    }

    /** {@return the time now on the manual clock, nanoseconds} */
    public long now() {
        return now;
    }

    @Override
    public int workerCount() {
        return workers;
    }

    @Override
    public RssConfig rss() {
        return rss;
    }

    @Override
    public List<PortInfo> ports() {
        return List.of(new PortInfo("inside", PortRole.INSIDE, "net_null0", "02:00:00:00:00:01", workers, workers,
                1500, true),
                new PortInfo("outside", PortRole.OUTSIDE, "net_null1", "02:00:00:00:00:02", workers,
                        workers, 1500, true));
    }

    @Override
    public int workerForQueue(int rxQueue) {
        return rxQueue;
    }

    /**
     * Returns the worker whose queue the NIC would put a frame on.
     *
     * @param frame the frame
     * @return the worker
     */
    public int workerFor(byte[] frame) {
        return rss.queueForHash(hash(frame));
    }

    /**
     * Receives a frame on a port; it waits in its RSS queue until {@link #run()}.
     *
     * @param frame the frame, copied
     * @param inside true for the inside port
     */
    public void receive(byte[] frame, boolean inside) {
        synchronized (turn) {
            rx.get(workerFor(frame))
                    .add(new In(frame.clone(), inside ? PortRole.CODE_INSIDE : PortRole.CODE_OUTSIDE, -1));
        }
    }

    /**
     * Runs the workers until every queue and handoff ring is empty, then ticks each worker once.
     */
    public void run() {
        synchronized (turn) {
            runLocked();
        }
    }

    private void runLocked() {
        for (int round = 0; round < 1_000_000; round++) {
            boolean any = false;
            for (int w = 0; w < workers; w++) {
                ArrayDeque<In> q = rx.get(w);
                if (q.isEmpty()) {
                    continue;
                }
                any = true;
                runBurst(w, q);
            }
            if (!any) {
                break;
            }
        }
        for (int w = 0; w < workers; w++) {
            stage.tick(w, now);
        }
    }

    private void runBurst(int w, ArrayDeque<In> q) {
        burst.reset(w, w);
        while (!q.isEmpty() && burst.size() < PacketBurst.DEFAULT_BURST) {
            In in = q.poll();
            if (freeCount == 0) {
                throw new AssertionError("every buffer is held by the stage: " + stolen);
            }
            int buffer = freeBuffers[--freeCount];
            long off = (long) buffer * PacketBurst.MIN_ROOM;
            MemorySegment.copy(MemorySegment.ofArray(in.frame()), 0, memory, off, in.frame().length);
            burst.add(buffer, off, in.frame().length, in.inPort(), in.from());
        }
        int received = burst.size();
        stage.process(burst);
        for (int i = 0; i < burst.size(); i++) {
            if (i >= received) {
                // a frame the stage held in an earlier burst and gives back now
                stolen--;
            }
            if (burst.verdict(i) == Verdict.STOLEN) {
                stolen++;
                continue;
            }
            freeBuffers[freeCount++] = (int) burst.handle(i);
            byte[] out = memory.asSlice(burst.dataOffset(i), burst.length(i)).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE);
            switch (burst.verdict(i)) {
                case Verdict.TX_INSIDE -> toInside.add(new Out(out, w));
                case Verdict.TX_OUTSIDE -> toOutside.add(new Out(out, w));
                case Verdict.DROP -> dropped.add(new Out(out, w));
                case Verdict.PASS -> unclaimed.add(new Out(out, w));
                case Verdict.HANDOFF -> {
                    handedOff.add(new Out(out, w));
                    rx.get(burst.handoffTarget(i)).add(new In(out, burst.inPort(i), w));
                }
                default -> throw new AssertionError("unexpected verdict " + Verdict.name(burst.verdict(i)));
            }
        }
    }

    /** {@return frames a stage holds now ({@link Verdict#STOLEN} and not yet given back)} */
    public int held() {
        synchronized (turn) {
            return stolen;
        }
    }

    /**
     * Moves the clock forward and ticks every worker enough times to finish the work that became due.
     *
     * @param d how far
     */
    public void advance(Duration d) {
        synchronized (turn) {
            now += d.toNanos();
            for (int k = 0; k < 64; k++) {
                for (int w = 0; w < workers; w++) {
                    stage.tick(w, now);
                }
            }
        }
    }

    /** Forgets what was transmitted, dropped and handed off so far. */
    public void clearOutputs() {
        toInside.clear();
        toOutside.clear();
        dropped.clear();
        unclaimed.clear();
        handedOff.clear();
    }

    /** The NIC's RSS hash of a frame: 4-tuple for unfragmented TCP and UDP, else the address pair. */
    private int hash(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int l3 = 14;
        if (frame.length >= 18 && (b.getShort(12) & 0xffff) == 0x8100) {
            l3 = 18;
        }
        if (frame.length < l3 + 20 || (b.getShort(l3 - 2) & 0xffff) != 0x0800) {
            return 0;
        }
        int ihl = (frame[l3] & 0x0f) * 4;
        int proto = frame[l3 + 9] & 0xff;
        int src = b.getInt(l3 + 12);
        int dst = b.getInt(l3 + 16);
        boolean fragment = (b.getShort(l3 + 6) & 0x3fff) != 0;
        if ((proto == 6 || proto == 17) && !fragment && frame.length >= l3 + ihl + 4) {
            return toeplitz.hash(src, dst, b.getShort(l3 + ihl) & 0xffff, b.getShort(l3 + ihl + 2) & 0xffff);
        }
        return toeplitz.hash(src, dst);
    }
}
