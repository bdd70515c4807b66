package dev.natgw.dataplane.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The tester's door into natgw's DPDK binding: the binding keeps its native handles package-private (the dataplane
 * bundle exports nothing), and the tester is a plain class-path program, so this one class sits in the binding's
 * package and hands out burst-sized calls. Every method is one downcall; none allocates.
 */
public final class TesterIo {
    private static final MethodHandle RX = Dpdk.RX_BURST;
    private static final MethodHandle TX = Dpdk.TX_BURST;
    private static final MethodHandle ALLOC = Dpdk.ALLOC_BULK;
    private static final MethodHandle FREE = Dpdk.FREE_BULK;
    private static final MethodHandle ENQUEUE = Dpdk.RING_ENQUEUE;
    private static final MethodHandle DEQUEUE = Dpdk.RING_DEQUEUE;

    private TesterIo() {
    }

    /** {@return mbufs received on queue 0 of the port into ptrs (at most n)} */
    public static int rx(int port, MemorySegment ptrs, int n) {
        try {
            return (short) RX.invokeExact((short) port, (short) 0, ptrs, (short) n) & 0xffff;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return how many of the n mbufs at ptrs queue 0 of the port took; the rest stay the caller's} */
    public static int tx(int port, MemorySegment ptrs, int n) {
        try {
            return (short) TX.invokeExact((short) port, (short) 0, ptrs, (short) n) & 0xffff;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return whether n mbufs of the pool were put at ptrs (all or none)} */
    public static boolean alloc(MemorySegment pool, MemorySegment ptrs, int n) {
        try {
            return (int) ALLOC.invokeExact(pool, ptrs, n) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Frees the n mbufs at ptrs. */
    public static void free(MemorySegment ptrs, int n) {
        try {
            FREE.invokeExact(ptrs, n);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return the ring a {@code ring:NAME} port made, by its full name (NAME_rx or NAME_tx)} */
    public static MemorySegment ring(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = (MemorySegment) Dpdk.RING_LOOKUP.invokeExact(arena.allocateFrom(name));
            if (r.address() == 0) {
                throw new IllegalArgumentException("no DPDK ring " + name);
            }
            return r;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return how many of the n pointers at objs the ring took} */
    public static int enqueue(MemorySegment ring, MemorySegment objs, int n) {
        try {
            return (int) ENQUEUE.invokeExact(ring, objs, n);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return how many pointers (at most n) the ring gave into objs} */
    public static int dequeue(MemorySegment ring, MemorySegment objs, int n) {
        try {
            return (int) DEQUEUE.invokeExact(ring, objs, n);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Registers the calling thread with EAL so it gets a mempool cache; harmless when already registered. */
    public static void registerThread() {
        try {
            int ignored = (int) Dpdk.THREAD_REGISTER.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
