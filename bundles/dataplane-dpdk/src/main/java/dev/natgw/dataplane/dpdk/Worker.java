package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.Verdict;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

/**
 * One dataplane worker: a platform thread, registered with EAL and pinned to its CPU, that polls its
 * receive queue on both ports, runs the gateway and the current stage array on each burst, and
 * transmits or frees every packet by its verdict. Queue {@code id} of every port is its own, for
 * receiving and for sending, so no queue is shared. No allocation, no lock, no log line per packet.
 */
final class Worker implements Runnable {
    static final int BURST = PacketBurst.DEFAULT_BURST;
    private static final ValueLayout.OfLong PTR = ValueLayout.JAVA_LONG;

    final int id;
    final int cpu;
    private final Engine engine;
    private final StagePipeline pipeline;
    private final short[] portIds = new short[2];
    /** Room for a received burst and as many frames a stage held before and appends (NAT fragments). */
    private final PacketBurst burst = new PacketBurst(2 * BURST, Dpdk.ALL);
    private final boolean[] l2Ready = new boolean[2 * BURST];
    /** Slots the worker filled; those after it a stage appended, and the gateway has not seen them. */
    private int filled;
    private final Interfaces ifs;
    /** Per egress role: the burst being sent holds a packet longer than the MTU, to be cut into fragments. */
    private final boolean[] oversize = new boolean[2];
    private final MemorySegment fragCounts;
    private final Gateway gateway;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxPtrs = arena.allocate(PTR, BURST);
    private final MemorySegment[] txPtrs = {arena.allocate(PTR, 2 * BURST), arena.allocate(PTR, 2 * BURST)};
    private final MemorySegment freePtrs = arena.allocate(PTR, 2L * BURST + 2);
    private final int[] txCount = new int[2];
    private int freeCount;
    /** The dataplane's counters of this worker, by {@link Counters} index. */
    final long[] counters = new long[Counters.COUNT];
    /** Per port role: rx packets, rx bytes, tx packets, tx bytes, tx refused. */
    final long[][] queue = new long[2][5];
    /** Rings from each other worker to this one, null for itself. */
    final HandoffRing[] inbound;
    /** Rings from this worker to each other one, null for itself. */
    final HandoffRing[] outbound;
    /** Frames the control thread made (ARP requests), to send as they are; the port role says which port. */
    final HandoffRing controlTx = new HandoffRing(64);
    private final long idleSleepNanos;
    private final PacketStage preGateway;

    volatile boolean running = true;
    /** Loop iterations, so the control thread can tell when the worker passed a burst boundary. */
    volatile long epoch;
    // statistics read by the control thread
    volatile long polls;
    volatile long bursts;
    volatile long packets;
    volatile long busyNanos;
    volatile String failure;

    Worker(int id, int cpu, Engine engine, Interfaces ifs, short insidePort, short outsidePort, int workers,
            long idleSleepNanos) {
        this.id = id;
        this.cpu = cpu;
        this.engine = engine;
        this.pipeline = engine.pipeline;
        this.portIds[0] = insidePort;
        this.portIds[1] = outsidePort;
        this.gateway = new Gateway(ifs, counters);
        this.ifs = ifs;
        this.fragCounts = arena.allocate(ValueLayout.JAVA_LONG, 4);
        this.inbound = new HandoffRing[workers];
        this.outbound = new HandoffRing[workers];
        this.idleSleepNanos = idleSleepNanos;
        this.preGateway = engine.preGateway;
    }

    @Override
    public void run() {
        int registered = -1;
        try {
            registered = (int) Dpdk.THREAD_REGISTER.invokeExact();
            if (cpu >= 0) {
                Affinity.pin(cpu);
            }
            loop();
        } catch (Throwable t) {
            failure = t.toString();
            engine.workerFailed(this, t);
        } finally {
            try {
                flushFree();
                if (registered == 0) {
                    Dpdk.THREAD_UNREGISTER.invokeExact();
                }
            } catch (Throwable ignored) {
                // the thread is ending; nothing is left to release
            }
        }
    }

    private void loop() throws Throwable {
        long lastTick = System.nanoTime();
        int idle = 0;
        long localPolls = 0;
        long localBursts = 0;
        long localPackets = 0;
        long localBusy = 0;
        while (running) {
            long t0 = System.nanoTime();
            int got = 0;
            for (int role = 0; role < 2; role++) {
                int n = (short) Dpdk.RX_BURST.invokeExact(portIds[role], (short) id, rxPtrs, (short) BURST) & 0xffff;
                if (n > 0) {
                    got += n;
                    localBursts++;
                    received(role, n, t0);
                }
            }
            for (int w = 0; w < inbound.length; w++) {
                HandoffRing ring = inbound[w];
                if (ring != null && ring.available() > 0) {
                    got += handedOff(ring, w);
                }
            }
            if (controlTx.available() > 0) {
                sendControl();
            }
            localPolls++;
            if (t0 - lastTick >= PacketStage.TICK_INTERVAL_NANOS) {
                tick(t0);
                lastTick = t0;
            }
            if (got > 0) {
                localPackets += got;
                localBusy += System.nanoTime() - t0;
                idle = 0;
            } else if (++idle > 256 && idleSleepNanos > 0) {
                LockSupport.parkNanos(idleSleepNanos);
            }
            if ((localPolls & 63) == 0 || got == 0) {
                polls = localPolls;
                bursts = localBursts;
                packets = localPackets;
                busyNanos = localBusy;
            }
            epoch = epoch + 1;
        }
        polls = localPolls;
        bursts = localBursts;
        packets = localPackets;
        busyNanos = localBusy;
    }

    private void received(int role, int n, long now) throws Throwable {
        PacketBurst b = burst;
        b.reset(id, id);
        long[] q = queue[role];
        long bytes = 0;
        byte code = (byte) role;
        for (int i = 0; i < n; i++) {
            long mbuf = rxPtrs.getAtIndex(PTR, i);
            int len = Mbuf.dataLen(mbuf);
            bytes += len;
            if (Mbuf.segments(mbuf) != 1) {
                counters[Counters.MULTI_SEGMENT]++;
                free(mbuf);
                continue;
            }
            b.add(mbuf, Mbuf.data(mbuf), len, code);
        }
        q[0] += n;
        q[1] += bytes;
        Capture tap = engine.tap(role);
        if (tap != null) {
            for (int i = 0; i < b.size(); i++) {
                tap.offer(id, b.memory(), b.dataOffset(i), b.length(i), now);
            }
        }
        if (preGateway != null) {
            preGateway.process(b);
        }
        gateway.input(b, l2Ready, now);
        filled = b.size();
        runStages(b);
        dispatch(b);
    }

    private int handedOff(HandoffRing ring, int from) throws Throwable {
        int n = Math.min(ring.available(), BURST);
        PacketBurst b = burst;
        b.reset(id, id);
        for (int k = 0; k < n; k++) {
            long mbuf = ring.mbufAt(k);
            b.add(mbuf, Mbuf.data(mbuf), Mbuf.dataLen(mbuf), ring.portAt(k), from);
        }
        ring.advance(n);
        for (int i = 0; i < n; i++) {
            l2Ready[i] = false;
        }
        filled = n;
        runStages(b);
        dispatch(b);
        return n;
    }

    private void runStages(PacketBurst b) {
        PacketStage[] stages = pipeline.stages;
        for (PacketStage stage : stages) {
            try {
                stage.process(b);
            } catch (Throwable t) {
                counters[Counters.STAGE_ERROR]++;
                for (int i = 0; i < b.size(); i++) {
                    if (b.verdict(i) == Verdict.PASS) {
                        b.setVerdict(i, Verdict.DROP);
                    }
                }
                return;
            }
        }
    }

    private void tick(long now) {
        for (PacketStage stage : pipeline.stages) {
            try {
                stage.tick(id, now);
            } catch (Throwable t) {
                counters[Counters.STAGE_ERROR]++;
            }
        }
    }

    private void dispatch(PacketBurst b) throws Throwable {
        int n = b.size();
        Capture tapIn = engine.tap(0);
        Capture tapOut = engine.tap(1);
        gateway.newBurst();
        for (int i = 0; i < n; i++) {
            byte v = b.verdict(i);
            long mbuf = b.handle(i);
            switch (v) {
                case Verdict.TX_INSIDE, Verdict.TX_OUTSIDE -> {
                    int egress = v == Verdict.TX_INSIDE ? 0 : 1;
                    int ready = i < filled && l2Ready[i] ? 1 : gateway.output(b, i, egress);
                    if (ready == 0) {
                        free(mbuf);
                    } else {
                        int len = b.length(i);
                        Mbuf.setLength(mbuf, len);
                        if (len > ifs.mtu[egress] + 14) {
                            oversize[egress] = true;
                        }
                        txPtrs[egress].setAtIndex(PTR, txCount[egress]++, mbuf);
                        queue[egress][3] += len;
                        Capture tap = egress == 0 ? tapIn : tapOut;
                        if (tap != null) {
                            tap.offer(id, b.memory(), b.dataOffset(i), len, System.nanoTime());
                        }
                    }
                }
                case Verdict.HANDOFF -> {
                    int target = b.handoffTarget(i);
                    HandoffRing ring = target >= 0 && target < outbound.length ? outbound[target] : null;
                    if (ring != null && ring.offer(mbuf, b.inPort(i))) {
                        counters[Counters.HANDOFFS]++;
                    } else {
                        counters[Counters.HANDOFF_FULL]++;
                        free(mbuf);
                    }
                }
                case Verdict.STOLEN -> {
                    // a stage owns it now
                }
                case Verdict.PASS -> {
                    counters[Counters.NO_STAGE]++;
                    free(mbuf);
                }
                default -> free(mbuf);
            }
        }
        flushTx();
    }

    private void sendControl() throws Throwable {
        int n = Math.min(controlTx.available(), BURST);
        for (int k = 0; k < n; k++) {
            int egress = controlTx.portAt(k);
            txPtrs[egress].setAtIndex(PTR, txCount[egress]++, controlTx.mbufAt(k));
        }
        controlTx.advance(n);
        flushTx();
    }

    private void flushTx() throws Throwable {
        for (int egress = 0; egress < 2; egress++) {
            int c = txCount[egress];
            if (c == 0) {
                continue;
            }
            MemorySegment ptrs = txPtrs[egress];
            if (oversize[egress]) {
                oversize[egress] = false;
                sendCut(egress, ptrs, c);
                continue;
            }
            int sent = (short) Dpdk.TX_BURST.invokeExact(portIds[egress], (short) id, ptrs, (short) c) & 0xffff;
            queue[egress][2] += sent;
            if (sent < c) {
                queue[egress][4] += c - sent;
                counters[Counters.TX_FULL] += c - sent;
                for (int k = sent; k < c; k++) {
                    free(ptrs.getAtIndex(PTR, k));
                }
            }
            txCount[egress] = 0;
        }
        flushFree();
    }

    /** Sends a burst holding packets longer than the MTU: the shim cuts them and frees what it does not send. */
    private void sendCut(int egress, MemorySegment ptrs, int c) throws Throwable {
        fragCounts.fill((byte) 0);
        int sent = (int) Dpdk.TX_BURST_FRAG.invokeExact(portIds[egress], (short) id, ptrs, (short) c,
                (short) ifs.mtu[egress], fragCounts);
        long refused = fragCounts.getAtIndex(ValueLayout.JAVA_LONG, 2);
        queue[egress][2] += sent;
        queue[egress][4] += refused;
        counters[Counters.TX_FULL] += refused;
        counters[Counters.FRAGMENTED] += fragCounts.getAtIndex(ValueLayout.JAVA_LONG, 0);
        counters[Counters.FRAGMENTS_MADE] += fragCounts.getAtIndex(ValueLayout.JAVA_LONG, 1);
        counters[Counters.CANNOT_FRAGMENT] += fragCounts.getAtIndex(ValueLayout.JAVA_LONG, 3);
        txCount[egress] = 0;
    }

    private void free(long mbuf) {
        freePtrs.setAtIndex(PTR, freeCount++, mbuf);
        if (freeCount == BURST) {
            flushFree();
        }
    }

    private void flushFree() {
        if (freeCount > 0) {
            try {
                Dpdk.FREE_BULK.invokeExact(freePtrs, freeCount);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            freeCount = 0;
        }
    }

    /** Frees the arrays; after the thread ended. */
    void close() {
        arena.close();
    }
}
