package dev.natgw.tester;

import dev.natgw.dataplane.dpdk.Dpdk;
import dev.natgw.dataplane.dpdk.Mbuf;
import dev.natgw.dataplane.dpdk.TesterIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in gateway for the tester's loopback tests, on the rings of the tester's two {@code ring:} ports: a NAPT
 * with a session per (source port, destination address), translated to consecutive ports of a pool address, with
 * the limits a test gives it — frames per second per direction (a token bucket: what exceeds it is dropped), new
 * sessions per second, table size — and optionally a fault (a broken UDP checksum every so many frames). The tester
 * must find the limits it was given.
 *
 * <p>
 * Runs on its own thread until closed; the test thread asks for a flush through a counter the loop serves.
 */
final class RingNat implements Dut {
    static final MemorySegment ALL = Dpdk.ALL;
    final int global;
    private final long rate;
    private final long newRate;
    private final int tableMax;
    private final int corruptEvery;
    private final MemorySegment insideTx;
    private final MemorySegment insideRx;
    private final MemorySegment outsideTx;
    private final MemorySegment outsideRx;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicInteger flushAsked = new AtomicInteger();
    private volatile int flushDone;
    private final Map<Long, Integer> sessions = new HashMap<>();
    private int[] insidePort = new int[1024];
    private int[] insideHost = new int[1024];
    private int used;
    long dropped;
    /** How many sessions a flush deletes per second. */
    volatile double teardownPerSecond = Double.POSITIVE_INFINITY;

    RingNat(String insideRing, String outsideRing, int global, long rate, long newRate, int tableMax,
            int corruptEvery) {
        this.global = global;
        this.rate = rate;
        this.newRate = newRate;
        this.tableMax = tableMax;
        this.corruptEvery = corruptEvery;
        insideTx = TesterIo.ring(insideRing + "_tx");
        insideRx = TesterIo.ring(insideRing + "_rx");
        outsideTx = TesterIo.ring(outsideRing + "_tx");
        outsideRx = TesterIo.ring(outsideRing + "_rx");
        thread = Thread.ofPlatform().name("ring-nat").daemon(true).start(this::loop);
    }

    @Override
    public String name() {
        return "ringnat";
    }

    @Override
    public boolean canFlush() {
        return true;
    }

    @Override
    public void flush() {
        int asked = flushAsked.incrementAndGet();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (flushDone < asked) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                throw new IllegalStateException("the ring gateway did not flush");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ptrs = arena.allocate(ValueLayout.JAVA_LONG, 32);
            MemorySegment drop = arena.allocate(ValueLayout.JAVA_LONG, 32);
            // the buckets fill by the tester's scheduled send times stamped in the frames, not by this thread's
            // clock: on a loaded machine this thread (or the tester's) is descheduled for tens of milliseconds,
            // and a limit on wall-clock arrival would drop a backlog that was sent within the rate
            double burst = 64;
            double[] tokens = {burst, burst};
            double newTokens = burst;
            int[] lastStamp = new int[2];
            boolean[] started = new boolean[2];
            int lastNewStamp = 0;
            boolean newStarted = false;
            long frames = 0;
            while (running) {
                if (flushDone < flushAsked.get()) {
                    // a deletion that costs time per session, as a real table's walk does
                    long until = System.nanoTime() + (long) (used * 1e9 / teardownPerSecond);
                    sessions.clear();
                    used = 0;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    flushDone = flushAsked.get();
                }
                for (int d = 0; d < 2; d++) {
                    int n = TesterIo.dequeue(d == 0 ? insideTx : outsideTx, ptrs, 32);
                    int pass = 0;
                    int drops = 0;
                    for (int j = 0; j < n; j++) {
                        long m = ptrs.getAtIndex(ValueLayout.JAVA_LONG, j);
                        long data0 = Mbuf.data(m);
                        int stamp = Frames.stamp(ALL, data0);
                        if (started[d]) {
                            tokens[d] = Math.min(burst, tokens[d] + (stamp - lastStamp[d]) * (rate / 1e6));
                        }
                        started[d] = true;
                        lastStamp[d] = stamp;
                        if (d == 0) {
                            if (newStarted) {
                                newTokens = Math.min(burst, newTokens + (stamp - lastNewStamp) * (newRate / 1e6));
                            }
                            newStarted = true;
                            lastNewStamp = stamp;
                        }
                        boolean ok = tokens[d] >= 1;
                        if (ok) {
                            tokens[d] -= 1;
                            long data = Mbuf.data(m);
                            if (d == 0) {
                                int session = lookup(data);
                                if (session < 0 && newTokens >= 1 && used < tableMax) {
                                    newTokens -= 1;
                                    session = create(data);
                                }
                                ok = session >= 0 && translateOut(data, session, ++frames);
                            } else {
                                ok = translateIn(data);
                            }
                        }
                        if (ok) {
                            ptrs.setAtIndex(ValueLayout.JAVA_LONG, pass++, m);
                        } else {
                            drop.setAtIndex(ValueLayout.JAVA_LONG, drops++, m);
                        }
                    }
                    if (pass > 0) {
                        int took = TesterIo.enqueue(d == 0 ? outsideRx : insideRx, ptrs, pass);
                        for (int j = took; j < pass; j++) {
                            drop.setAtIndex(ValueLayout.JAVA_LONG, drops++, ptrs.getAtIndex(ValueLayout.JAVA_LONG, j));
                        }
                    }
                    if (drops > 0) {
                        dropped += drops;
                        TesterIo.free(drop, drops);
                    }
                }
            }
        }
    }

    private static long key(long data) {
        return ((long) Frames.srcPort(ALL, data) << 32) | (Frames.dst(ALL, data) & 0xffffffffL);
    }

    /** {@return the session index of the frame's flow, -1 if it has none} */
    private int lookup(long data) {
        Integer s = sessions.get(key(data));
        return s == null ? -1 : s;
    }

    private int create(long data) {
        if (used == insidePort.length) {
            insidePort = java.util.Arrays.copyOf(insidePort, 2 * used);
            insideHost = java.util.Arrays.copyOf(insideHost, 2 * used);
        }
        insidePort[used] = Frames.srcPort(ALL, data);
        insideHost[used] = Frames.src(ALL, data);
        sessions.put(key(data), used);
        return used++;
    }

    /** Source to the pool address and the session's port (1024 + index), checksums recomputed. */
    private boolean translateOut(long data, int session, long frame) {
        ALL.set(Frames.U32, data + Frames.IP + 12, global);
        ALL.set(Frames.U16, data + Frames.UDP, (short) (1024 + session));
        checksums(data);
        if (corruptEvery > 0 && frame % corruptEvery == 0) {
            ALL.set(Frames.U16, data + Frames.UDP + 6, (short) (ALL.get(Frames.U16, data + Frames.UDP + 6) ^ 0x0101));
        }
        return true;
    }

    private boolean translateIn(long data) {
        int session = (Frames.dstPort(ALL, data)) - 1024;
        if (Frames.dst(ALL, data) != global || session < 0 || session >= used) {
            return false;
        }
        ALL.set(Frames.U32, data + Frames.IP + 16, insideHost[session]);
        ALL.set(Frames.U16, data + Frames.UDP + 2, (short) insidePort[session]);
        checksums(data);
        return true;
    }

    private static void checksums(long data) {
        ALL.set(Frames.U16, data + Frames.IP + 10, (short) 0);
        ALL.set(Frames.U16, data + Frames.IP + 10, (short) ~Frames.fold(Frames.sum(ALL, data + Frames.IP, 20, 0)));
        int udpLen = ALL.get(Frames.U16, data + Frames.UDP + 4) & 0xffff;
        ALL.set(Frames.U16, data + Frames.UDP + 6, (short) 0);
        long sum = Frames.sum(ALL, data + Frames.UDP, udpLen,
                Frames.pseudo(Frames.src(ALL, data), Frames.dst(ALL, data), udpLen));
        int c = ~Frames.fold(sum) & 0xffff;
        ALL.set(Frames.U16, data + Frames.UDP + 6, (short) (c == 0 ? 0xffff : c));
    }
}
