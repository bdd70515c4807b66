package dev.natgw.dataplane.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layout of DPDK's {@code struct rte_mbuf} as the installed headers define it, read once from the
 * shim, and the accessors the workers use on it. All offsets are {@code static final} so the JIT folds
 * them into the workers' loops.
 */
public final class Mbuf {
    /** sizeof(struct rte_mbuf). */
    public static final long SIZE;
    static final long BUF_ADDR;
    static final long DATA_OFF;
    static final long NB_SEGS;
    static final long PKT_LEN;
    static final long DATA_LEN;
    /** RTE_PKTMBUF_HEADROOM. */
    public static final int HEADROOM;

    static {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 16);
            int n = (int) Dpdk.LAYOUT.invokeExact(out, 16);
            if (n < 11) {
                throw new IllegalStateException("the DPDK shim reported " + n + " layout fields, expected 11");
            }
            SIZE = out.getAtIndex(ValueLayout.JAVA_LONG, 0);
            BUF_ADDR = out.getAtIndex(ValueLayout.JAVA_LONG, 1);
            DATA_OFF = out.getAtIndex(ValueLayout.JAVA_LONG, 2);
            NB_SEGS = out.getAtIndex(ValueLayout.JAVA_LONG, 4);
            PKT_LEN = out.getAtIndex(ValueLayout.JAVA_LONG, 5);
            DATA_LEN = out.getAtIndex(ValueLayout.JAVA_LONG, 6);
            HEADROOM = (int) out.getAtIndex(ValueLayout.JAVA_LONG, 10);
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private static final MemorySegment ALL = Dpdk.ALL;

    private Mbuf() {
    }

    /** {@return the absolute address of the mbuf's first data byte} */
    public static long data(long mbuf) {
        return ALL.get(ValueLayout.JAVA_LONG_UNALIGNED, mbuf + BUF_ADDR)
                + (ALL.get(ValueLayout.JAVA_SHORT_UNALIGNED, mbuf + DATA_OFF) & 0xffff);
    }

    /** {@return the data length of the mbuf's first segment} */
    public static int dataLen(long mbuf) {
        return ALL.get(ValueLayout.JAVA_SHORT_UNALIGNED, mbuf + DATA_LEN) & 0xffff;
    }

    /** {@return the number of segments of the packet} */
    public static int segments(long mbuf) {
        return ALL.get(ValueLayout.JAVA_SHORT_UNALIGNED, mbuf + NB_SEGS) & 0xffff;
    }

    /** Sets the length of a one-segment packet. */
    public static void setLength(long mbuf, int length) {
        ALL.set(ValueLayout.JAVA_SHORT_UNALIGNED, mbuf + DATA_LEN, (short) length);
        ALL.set(ValueLayout.JAVA_INT_UNALIGNED, mbuf + PKT_LEN, length);
    }
}
