package dev.natgw.tester;

import dev.natgw.dataplane.dpdk.Dpdk;
import dev.natgw.dataplane.dpdk.Mbuf;
import dev.natgw.dataplane.dpdk.TesterIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Sends and receives the test frames of one trial on the tester's two ports, one thread doing both (the machine has
 * two cores and the gateway needs the other): the inside port plays RFC 9693's initiator, the outside port its
 * stateful responder, which learns each flow's translated endpoint from the frames the gateway sends out and
 * addresses the return frames to it.
 *
 * <p>
 * Sending is paced by the clock: at each turn of the loop the frames due since the start (rate times elapsed time)
 * go out in bursts of at most {@value #BURST}; what a port does not take stays due. Between bursts both ports are
 * polled and every received frame is checked ({@link Frames#checkHeaders}, then the flow's addresses and ports, the
 * translated source against the pool). ARP requests for the inside host or the responder are answered, so a gateway
 * that resolves its neighbours finds the tester. After the sending window the ports are drained for
 * {@code drainNanos} (RFC 2544's wait for frames still in flight) or until every frame sent is accounted for.
 *
 * <p>
 * Runs on one thread; the loop allocates nothing per frame.
 */
public final class Tester implements AutoCloseable {
    static final int BURST = 32;
    private static final MemorySegment ALL = Dpdk.ALL;

    private final int insidePort;
    private final int outsidePort;
    private final MemorySegment insidePool;
    private final MemorySegment outsidePool;
    private final long insideMac;
    private final long outsideMac;
    private final long gwInsideMac;
    private final long gwOutsideMac;
    private final int responder;
    private final int insideHost;
    private final int poolLo;
    private final int poolHi;
    private final long drainNanos;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment txPtrs = arena.allocate(ValueLayout.JAVA_LONG, BURST);
    private final MemorySegment rxPtrs = arena.allocate(ValueLayout.JAVA_LONG, BURST);
    private final MemorySegment[] txTail = new MemorySegment[BURST + 1];
    private final MemorySegment forwardTemplate = arena.allocate(Frames.MAX, 64);
    private final MemorySegment reverseTemplate = arena.allocate(Frames.MAX, 64);
    private int templateLength = -1;
    private long seed;
    private int trial;

    // the counters of the current trial
    long sentForward;
    long sentReverse;
    long okForward;
    long okReverse;
    long remapped;
    long arpAnswered;
    final long[] refused = new long[Frames.REASONS];

    /**
     * @param inside the inside port (DPDK id, pool, MAC)
     * @param outside the outside port
     * @param gwInsideMac the gateway's MAC on the inside, where forward frames go
     * @param gwOutsideMac the gateway's MAC on the outside, where return frames go
     * @param insideHost the inside host's address, answered in ARP on the inside
     * @param responder the responder's own address (answered in ARP on the outside; frames come from other ones)
     * @param poolLo the first address of the gateway's pool
     * @param poolHi the last address of the pool
     * @param drainNanos how long to keep receiving after a trial's last frame was sent
     */
    public Tester(Side inside, Side outside, long gwInsideMac, long gwOutsideMac, int insideHost, int responder,
            int poolLo,
            int poolHi, long drainNanos) {
        this.insidePort = inside.port();
        this.outsidePort = outside.port();
        this.insidePool = inside.pool();
        this.outsidePool = outside.pool();
        this.insideMac = inside.mac();
        this.outsideMac = outside.mac();
        this.gwInsideMac = gwInsideMac;
        this.gwOutsideMac = gwOutsideMac;
        this.responder = responder;
        this.insideHost = insideHost;
        this.poolLo = poolLo;
        this.poolHi = poolHi;
        this.drainNanos = drainNanos;
        for (int i = 0; i <= BURST; i++) {
            txTail[i] = txPtrs.asSlice(8L * i);
        }
    }

    /** One of the tester's ports: its DPDK id, the pool its frames come from, its MAC. */
    public record Side(int port, MemorySegment pool, long mac) {
    }

    /** What one trial sent and received. */
    public record Result(long sentForward, long okForward, long sentReverse, long okReverse, long[] refused,
            long remapped, boolean testerLimited, double seconds) {
        /** {@return frames sent and not received valid, both directions} */
        public long lost() {
            return sentForward - okForward + sentReverse - okReverse;
        }

        /** {@return received frames that failed a check (stale ones from earlier trials not counted)} */
        public long invalid() {
            long n = 0;
            for (int i = 1; i < refused.length; i++) {
                n += i == Frames.STALE ? 0 : refused[i];
            }
            return n;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append("sent ").append(sentForward).append('/').append(sentReverse).append(" ok ").append(okForward)
                    .append('/').append(okReverse);
            for (int i = 1; i < refused.length; i++) {
                if (refused[i] != 0) {
                    b.append(' ').append(Frames.REASON_NAMES[i]).append(' ').append(refused[i]);
                }
            }
            if (remapped != 0) {
                b.append(" remapped ").append(remapped);
            }
            if (testerLimited) {
                b.append(" TESTER-LIMITED");
            }
            return b.toString();
        }
    }

    /**
     * RFC 9693's preliminary phase: one inside-to-outside frame per flow, flows in order, at the rate; the responder
     * learns each flow's translation.
     */
    public Result establish(Flows flows, double rate, int frameLength) {
        return run(flows, rate, frameLength, flows.count, 0, false);
    }

    /** Sends one outside-to-inside frame per flow to its learnt translation, at the rate (the validation step). */
    public Result validate(Flows flows, double rate, int frameLength) {
        return run(flows, rate, frameLength, 0, flows.count, false);
    }

    /**
     * RFC 9693's test phase: frames to pseudorandomly chosen established flows at the rate in each direction named.
     */
    public Result traffic(Flows flows, double rate, int frameLength, double seconds, boolean forward,
            boolean reverse) {
        long frames = (long) Math.ceil(rate * seconds);
        return run(flows, rate, frameLength, forward ? frames : 0, reverse ? frames : 0, true);
    }

    private Result run(Flows flows, double rate, int frameLength, long forwardFrames, long reverseFrames,
            boolean randomFlows) {
        if (frameLength < Frames.MIN || frameLength > Frames.MAX) {
            throw new IllegalArgumentException("frame length " + frameLength + " is not " + Frames.MIN + " ... "
                    + Frames.MAX);
        }
        if (templateLength != frameLength) {
            Frames.template(forwardTemplate, 0, frameLength, gwInsideMac, insideMac);
            Frames.template(reverseTemplate, 0, frameLength, gwOutsideMac, outsideMac);
            templateLength = frameLength;
        }
        trial++;
        sentForward = sentReverse = okForward = okReverse = remapped = 0;
        java.util.Arrays.fill(refused, 0);
        seed = 0x9E3779B97F4A7C15L ^ trial;
        long start = System.nanoTime();
        double perNano = rate / 1e9;
        long longest = Math.max(forwardFrames, reverseFrames);
        long windowNanos = (long) (longest / perNano);
        long end = start + windowNanos;
        boolean limited = false;
        while (true) {
            long now = System.nanoTime();
            long due = (long) ((now - start) * perNano) + 1;
            boolean pending = false;
            if (sentForward < forwardFrames) {
                pending = true;
                sentForward += sendDue(Frames.FORWARD, flows, due, forwardFrames, sentForward, randomFlows,
                        frameLength, start, perNano);
            }
            if (sentReverse < reverseFrames) {
                pending = true;
                sentReverse += sendDue(Frames.REVERSE, flows, due, reverseFrames, sentReverse, randomFlows,
                        frameLength, start, perNano);
            }
            receive(insidePort, flows, frameLength, Frames.REVERSE);
            receive(outsidePort, flows, frameLength, Frames.FORWARD);
            if (!pending) {
                break;
            }
            // a tester that ends more than 5 % of the window (at least 50 ms: the scheduler's slices on a loaded
            // machine) behind its schedule cannot vouch for the rate: the frames that fell behind went out in
            // bursts. It still sends them all, bounded at twice the window and a second.
            if (now > end + Math.max(windowNanos / 20, 50_000_000L)) {
                limited = true;
                if (now > start + 2 * windowNanos + 1_000_000_000L) {
                    break;
                }
            }
        }
        long sentEnd = System.nanoTime();
        long drainEnd = sentEnd + drainNanos;
        // the drain ends early once as many frames came back as went out: only a trial that lost some waits it out
        while (System.nanoTime() < drainEnd && received() < sentForward + sentReverse) {
            receive(insidePort, flows, frameLength, Frames.REVERSE);
            receive(outsidePort, flows, frameLength, Frames.FORWARD);
        }
        limited |= sentForward < forwardFrames || sentReverse < reverseFrames;
        return new Result(sentForward, okForward, sentReverse, okReverse, refused.clone(), remapped, limited,
                (sentEnd - start) / 1e9);
    }

    /** {@return how many frames of those due in one direction (at most a burst) went out} */
    private int sendDue(int direction, Flows flows, long due, long total, long sent, boolean randomFlows,
            int frameLength, long start, double perNano) {
        int k = (int) Math.min(BURST, Math.min(due, total) - sent);
        if (k <= 0) {
            return 0;
        }
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        int from = randomFlows ? -1 : (int) (sent % flows.count);
        boolean forward = direction == Frames.FORWARD;
        return send(forward ? insidePort : outsidePort, forward ? insidePool : outsidePool,
                forward ? forwardTemplate : reverseTemplate, flows, k, from, direction, frameLength, seed,
                start + (long) (sent / perNano), 1 / perNano);
    }

    private long received() {
        long n = okForward + okReverse;
        for (int i = 1; i < refused.length; i++) {
            n += i == Frames.STALE ? 0 : refused[i];
        }
        return n;
    }

    /**
     * Sends up to k frames: flows from {@code from} on, or (from negative) flows drawn from an xorshift generator
     * started at the seed, RFC 4814's pseudorandom choice over the established flows.
     *
     * @return how many the port took
     */
    private int send(int port, MemorySegment pool, MemorySegment template, Flows flows, int k, int from,
            int direction, int length, long seed, long firstDue, double gapNanos) {
        if (!TesterIo.alloc(pool, txPtrs, k)) {
            return 0;
        }
        int n = flows.count;
        long x = seed;
        for (int j = 0; j < k; j++) {
            int flow;
            if (from >= 0) {
                flow = from + j;
                if (flow >= n) {
                    flow -= n;
                }
            } else {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                flow = (int) ((x >>> 1) % n);
            }
            long m = txPtrs.getAtIndex(ValueLayout.JAVA_LONG, j);
            long data = Mbuf.data(m);
            MemorySegment.copy(template, 0, ALL, data, length);
            if (direction == Frames.FORWARD) {
                Frames.write(ALL, data, length, flows.insideHost, flows.srcPort(flow), flows.dstAddress(flow),
                        Flows.DST_PORT, flow, Frames.FORWARD, trial, (int) ((firstDue + (long) (j * gapNanos)) / 1000));
            } else {
                Frames.write(ALL, data, length, flows.dstAddress(flow), Flows.DST_PORT, flows.mappedAddress[flow],
                        flows.mappedPort[flow], flow, Frames.REVERSE, trial,
                        (int) ((firstDue + (long) (j * gapNanos)) / 1000));
            }
            Mbuf.setLength(m, length);
        }
        int took = TesterIo.tx(port, txPtrs, k);
        if (took < k) {
            TesterIo.free(txTail[took], k - took);
        }
        return took;
    }

    private void receive(int port, Flows flows, int length, int direction) {
        int got = TesterIo.rx(port, rxPtrs, BURST);
        if (got == 0) {
            return;
        }
        for (int j = 0; j < got; j++) {
            long m = rxPtrs.getAtIndex(ValueLayout.JAVA_LONG, j);
            long data = Mbuf.data(m);
            int len = Mbuf.dataLen(m);
            if (len >= 42 && ALL.get(Frames.U16, data + 12) == 0x0806) {
                arp(port, data);
                continue;
            }
            int r = Mbuf.segments(m) != 1
                    ? Frames.BAD_LENGTH
                    : Frames.checkHeaders(ALL, data, len, length, direction, trial);
            if (r == Frames.OK) {
                r = direction == Frames.FORWARD ? outbound(flows, data) : inbound(flows, data);
            }
            refused[r]++;
        }
        TesterIo.free(rxPtrs, got);
    }

    /** Checks a frame the gateway sent out and learns its flow's translation. */
    private int outbound(Flows flows, long data) {
        int flow = Frames.flow(ALL, data);
        if (flow < 0 || flow >= flows.count) {
            return Frames.NOT_OURS;
        }
        if (Frames.dst(ALL, data) != flows.dstAddress(flow) || Frames.dstPort(ALL, data) != Flows.DST_PORT) {
            return Frames.WRONG_DESTINATION;
        }
        int src = Frames.src(ALL, data);
        if (Integer.compareUnsigned(src, poolLo) < 0 || Integer.compareUnsigned(src, poolHi) > 0) {
            return Frames.SOURCE_NOT_IN_POOL;
        }
        char port = (char) Frames.srcPort(ALL, data);
        int known = flows.mappedAddress[flow];
        if (known != 0 && (known != src || flows.mappedPort[flow] != port)) {
            remapped++;
        }
        flows.mappedAddress[flow] = src;
        flows.mappedPort[flow] = port;
        okForward++;
        return Frames.OK;
    }

    /** Checks a return frame the gateway translated back to the inside host. */
    private int inbound(Flows flows, long data) {
        int flow = Frames.flow(ALL, data);
        if (flow < 0 || flow >= flows.count) {
            return Frames.NOT_OURS;
        }
        if (Frames.dst(ALL, data) != flows.insideHost || Frames.dstPort(ALL, data) != flows.srcPort(flow)) {
            return Frames.WRONG_DESTINATION;
        }
        if (Frames.src(ALL, data) != flows.dstAddress(flow) || Frames.srcPort(ALL, data) != Flows.DST_PORT) {
            return Frames.WRONG_SOURCE;
        }
        okReverse++;
        return Frames.OK;
    }

    /** Answers an ARP request for the inside host (inside port) or the responder (outside port). */
    private void arp(int port, long data) {
        boolean inside = port == insidePort;
        if (ALL.get(Frames.U16, data + 20) != 1) {
            return; // replies and anything else: the tester keeps no ARP table (the gateway's MACs are given)
        }
        int target = ALL.get(Frames.U32, data + 38);
        // the inside host; on the outside, the responder answers for itself
        if (inside ? target != insideHost : target != responder) {
            return;
        }
        MemorySegment one = txPtrs;
        if (!TesterIo.alloc(inside ? insidePool : outsidePool, one, 1)) {
            return;
        }
        long m = one.getAtIndex(ValueLayout.JAVA_LONG, 0);
        long out = Mbuf.data(m);
        long mac = inside ? insideMac : outsideMac;
        long askerMac = Frames.getMac(ALL, data + 22);
        int asker = ALL.get(Frames.U32, data + 28);
        MemorySegment.copy(ALL, data, ALL, out, 42);
        Frames.putMac(ALL, out, askerMac);
        Frames.putMac(ALL, out + 6, mac);
        ALL.set(Frames.U16, out + 20, (short) 2);
        Frames.putMac(ALL, out + 22, mac);
        ALL.set(Frames.U32, out + 28, target);
        Frames.putMac(ALL, out + 32, askerMac);
        ALL.set(Frames.U32, out + 38, asker);
        ALL.asSlice(out + 42, 18).fill((byte) 0);
        Mbuf.setLength(m, 60);
        if (TesterIo.tx(port, one, 1) != 1) {
            TesterIo.free(one, 1);
        } else {
            arpAnswered++;
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
