package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.NatWorker.ICMP;
import static dev.natgw.nat.fastpath.NatWorker.TCP;
import static dev.natgw.nat.fastpath.NatWorker.UDP;

import dev.natgw.api.dataplane.PacketBurst;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The outside ports a burst's new flows will take, taken in the burst's lookup pass ({@link NatWorker#warm}) so
 * that what a new flow touches on the outside, its port's free-stack entry and refcount and the outside chains its
 * mapping and session are linked into, is loaded for all the burst's new flows at once (loads that do not depend on
 * each other, so the CPU overlaps their cache misses) instead of one new flow after another, each waiting for the
 * port it chose. Without it a new session took five or six misses in a row.
 *
 * <p>
 * A port taken ahead is off its free stack and not in use ({@link PortAllocator#takeAhead}). The flow it was taken
 * for puts it in use through {@link #allocate}, which checks that the packet is that flow (slot, allocator,
 * protocol, address, remote endpoint); any other packet allocates as before. Every port taken ahead and not used
 * goes back to its free stack in {@link #finish} at the end of the burst, or at once when an allocation on the
 * same allocator finds no free port ({@link #allocate}), so taking ahead never refuses a flow that would have had a
 * port, and no port is ever lost or handed out twice.
 *
 * <p>
 * Which flows it takes for: an inside packet whose chain the pass walked to its end without finding its session
 * ({@link NatWorker#ABSENT}), whose home is this worker, that opens
 * a flow (UDP, a TCP SYN, an ICMP echo request) and whose inside key is not the first mapping of its chain (which
 * the flow would reuse), from the first active pool when that pool allocates per session, on the address the flow
 * tries first ({@link PoolRuntime#firstAddress}). A guess that turns out wrong (a quota, a static mapping, a mapping
 * deeper in its chain, a drop) costs a push back on a stack line already in the cache.
 *
 * <p>
 * Runs on its worker's thread only; allocation-free and lock-free.
 */
final class PortsAhead {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int RST = 0x04;

    private final SessionTable table;
    private final int id;
    private final int workers;
    /** By slot: the ticket of the port taken ahead ({@link PortAllocator#takeAhead}), or -1. */
    private final long[] ticket;
    /** By slot: the port taken ahead, read in a loop of its own. */
    private final int[] port;
    /** By slot: the address index, protocol and remote endpoint the port was taken for. */
    private final int[] addrIndex;
    private final int[] proto;
    private final int[] remAddr;
    private final int[] remPort;
    /** By slot: the first mapping of the inside key's chain, or -1; {@link #NONE} for a slot that takes no port. */
    private final int[] head;
    private static final int NONE = -2;
    /** The allocator the burst's ports were taken from: the first active pool's, this worker's. */
    private PortAllocator from;
    /** Tickets of the burst not yet used or given back. */
    private int outstanding;
    /** Slots {@link #prepare} ran over. */
    private int slots;

    /**
     * Makes the per-slot state for bursts of up to {@code capacity} packets.
     *
     * @param table the worker's table
     * @param id the worker
     * @param workers the engine's workers
     * @param capacity the most slots a prepared burst has
     */
    PortsAhead(SessionTable table, int id, int workers, int capacity) {
        this.table = table;
        this.id = id;
        this.workers = workers;
        this.ticket = new long[capacity];
        this.port = new int[capacity];
        this.addrIndex = new int[capacity];
        this.proto = new int[capacity];
        this.remAddr = new int[capacity];
        this.remPort = new int[capacity];
        this.head = new int[capacity];
        Arrays.fill(ticket, -1);
    }

    /**
     * Brings in what the burst's new flows will touch and takes their ports ahead: the lookup pass's last part, after
     * it found the sessions. Reads nothing of a packet it has not bounds-checked; decides nothing the paths do not
     * check again.
     *
     * @param b the burst
     * @param m its memory
     * @param n its packets, at most the capacity
     * @param snap the burst's snapshot
     * @param keys the pass's keys, {@code keyInts} ints a slot: inside (1) or outside, protocol, our side's address and
     *     port, remote's; -1 first for a slot it did not read
     * @param keyInts ints per key
     * @param found the sessions the pass found by slot, {@link NatWorker#ABSENT} for none, negative for not found
     * @return a value to keep, so that the loads are not dropped
     */
    int prepare(PacketBurst b, MemorySegment m, int n, NatSnapshot snap, int[] keys, int keyInts, int[] found) {
        int sink = 0;
        slots = n;
        long size = m.byteSize();
        // a new flow's mapping chain and host slot come first
        int flows = 0;
        for (int i = 0; i < n; i++) {
            int k = i * keyInts;
            head[i] = NONE;
            if (found[i] != NatWorker.ABSENT || keys[k] != 1 || !opens(b, m, size, i, keys[k + 1])
                    || Ownership.home(keys[k + 2], workers) != id) {
                continue;
            }
            head[i] = table.mappingHeadIn(keys[k + 1], keys[k + 2], keys[k + 3]);
            sink += table.peekHost(keys[k + 2]);
            flows++;
        }
        if (flows == 0) {
            // a burst of established traffic ends here
            from = null;
            return sink;
        }
        for (int i = 0; i < n; i++) {
            if (head[i] >= 0) {
                sink += table.mInAddr(head[i]);
            }
        }
        PoolRuntime[] active = snap.active();
        if (active.length == 0 || active[0].blocks) {
            from = null;
            return sink;
        }
        PoolRuntime p = active[0];
        PortAllocator a = p.allocator(id);
        from = a;
        for (int i = 0; i < n; i++) {
            int h = head[i];
            int k = i * keyInts;
            if (h == NONE || h >= 0 && table.isMappingIn(h, keys[k + 1], keys[k + 2], keys[k + 3])) {
                continue;
            }
            int pr = keys[k + 1];
            int ai = p.firstAddress(a, keys[k + 2], keys[k + 3]);
            int ra = keys[k + 4];
            int rp = keys[k + 5];
            long t = a.takeAhead(pr, ai, ra, rp);
            if (t < 0) {
                // the address has no free port: the path finds out again and answers as the pool says
                continue;
            }
            ticket[i] = t;
            proto[i] = pr;
            addrIndex[i] = ai;
            remAddr[i] = ra;
            remPort[i] = rp;
            outstanding++;
        }
        if (outstanding == 0) {
            return sink;
        }
        // nothing went back on a stack since the tickets were taken, so their entries still hold their ports
        for (int i = 0; i < n; i++) {
            if (ticket[i] >= 0) {
                port[i] = a.portAhead(ticket[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (ticket[i] >= 0) {
                sink += a.peekAhead(proto[i], addrIndex[i], port[i]) + table.peekOut(proto[i],
                        a.address(addrIndex[i]), port[i], remAddr[i], remPort[i]);
            }
        }
        return sink;
    }

    /**
     * Whether slot {@code i} holds a packet that opens a flow of its protocol, as far as the pass can tell: an
     * unfragmented UDP datagram, TCP segment with SYN alone, or ICMP echo request.
     */
    private static boolean opens(PacketBurst b, MemorySegment m, long size, int i, int proto) {
        long f = b.dataOffset(i);
        if ((m.get(U16, f + 20) & 0x3fff) != 0) {
            return false;
        }
        if (proto == UDP) {
            return true;
        }
        if (proto == TCP) {
            return b.length(i) >= 48 && f + 48 <= size
                    && (m.get(ValueLayout.JAVA_BYTE, f + 47) & (SYN | ACK | RST)) == SYN;
        }
        return proto == ICMP && m.get(ValueLayout.JAVA_BYTE, f + 34) == 8;
    }

    /**
     * Takes a port for the new mapping of the packet in slot {@code i}: the port taken ahead for exactly this flow
     * if there is one, else as {@link PortAllocator#allocate} does; when that finds no free port, the ports taken
     * ahead on the same allocator go back first and it tries once more.
     *
     * @param i the packet's slot
     * @param a the allocator of the pool the path takes from
     * @param pr the protocol
     * @param ai the address index
     * @param ra the remote address
     * @param rp the remote port (0 for ICMP)
     * @return the port, in use, or -1 if the address has none free
     */
    int allocate(int i, PortAllocator a, int pr, int ai, int ra, int rp) {
        if (outstanding > 0 && i < slots && ticket[i] >= 0 && a == from && proto[i] == pr && addrIndex[i] == ai
                && remAddr[i] == ra && remPort[i] == rp) {
            a.useAhead(pr, ai, ticket[i], port[i]);
            ticket[i] = -1;
            outstanding--;
            return port[i];
        }
        int got = a.allocate(pr, ai, ra, rp);
        if (got < 0 && outstanding > 0 && a == from) {
            finish();
            got = a.allocate(pr, ai, ra, rp);
        }
        return got;
    }

    /**
     * Gives back every port taken ahead and not used; at the end of each burst. Last taken, first back, so the
     * stacks are as if the unused ports had never been taken.
     */
    void finish() {
        if (outstanding == 0) {
            return;
        }
        for (int i = slots - 1; i >= 0; i--) {
            if (ticket[i] >= 0) {
                from.giveBack(proto[i], addrIndex[i], port[i]);
                ticket[i] = -1;
            }
        }
        outstanding = 0;
    }

    /** {@return the ports taken ahead and neither used nor given back yet} */
    int outstanding() {
        return outstanding;
    }
}
