package dev.natgw.nat.fastpath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer, single-consumer ring of NAT events (RFC 6888 logging): the worker that owns
 * it records, one logging thread drains. Lock-free; the producer never waits: when the ring is full the
 * event is lost and the producer counts it. Each event is three longs in a preallocated array, so recording allocates
 * nothing.
 */
public final class EventRing {
    /** A mapping was created. */
    public static final int CREATED = 1;
    /** A mapping was deleted (its last session ended, expired or was cleared). */
    public static final int DELETED = 2;
    /** A new session was refused: no free port. */
    public static final int REFUSED_EXHAUSTED = 3;
    /** A new session was refused: the inside host reached its port quota. */
    public static final int REFUSED_QUOTA = 4;
    /**
     * A port block was allocated to an inside host (port-block pools): the inside port field carries the block's
     * size and the outside port its first port.
     */
    public static final int BLOCK_ALLOCATED = 5;
    /** A port block was released (its last mapping ended); fields as for {@link #BLOCK_ALLOCATED}. */
    public static final int BLOCK_RELEASED = 6;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(EventRing.class, "head", long.class);
            TAIL = l.findVarHandle(EventRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    private final int mask;
    private long head;
    private long tail;

    /**
     * Makes a ring.
     *
     * @param capacity the most events held, rounded up to a power of two, at least 2
     */
    public EventRing(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        this.slots = new long[size * 3];
        this.mask = size - 1;
    }

    /**
     * Records an event; producer thread only.
     *
     * @param type the event type
     * @param proto the IP protocol number
     * @param slot the pool slot
     * @param inAddr the inside address
     * @param inPort the inside port
     * @param outAddr the outside address
     * @param outPort the outside port
     * @param epochMillis the wall-clock time
     * @return false if the ring was full and the event was lost
     */
    public boolean record(int type, int proto, int slot, int inAddr, int inPort, int outAddr, int outPort,
            long epochMillis) {
        long t = tail;
        if (t - (long) HEAD.getAcquire(this) > mask) {
            return false; // the caller counts the loss with its other counters
        }
        int i = (int) (t & mask) * 3;
        slots[i] = (long) type << 56 | (long) (proto & 0xff) << 48 | (long) (slot & 0xff) << 40
                | (long) (inPort & 0xffff) << 16 | (outPort & 0xffff);
        slots[i + 1] = (long) inAddr << 32 | (outAddr & 0xffffffffL);
        slots[i + 2] = epochMillis;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Receives drained events. */
    @FunctionalInterface
    public interface Sink {
        /**
         * One event.
         *
         * @param type the event type
         * @param proto the IP protocol number
         * @param slot the pool slot
         * @param inAddr the inside address
         * @param inPort the inside port
         * @param outAddr the outside address
         * @param outPort the outside port
         * @param epochMillis the time it happened
         */
        void event(int type, int proto, int slot, int inAddr, int inPort, int outAddr, int outPort,
                long epochMillis);
    }

    /**
     * Drains the events recorded so far; consumer thread only.
     *
     * @param sink receives each event in order
     * @param max the most events to drain
     * @return the number drained
     */
    public int drain(Sink sink, int max) {
        long h = head;
        long t = (long) TAIL.getAcquire(this);
        int n = 0;
        while (h < t && n < max) {
            int i = (int) (h & mask) * 3;
            long w0 = slots[i];
            long w1 = slots[i + 1];
            long when = slots[i + 2];
            sink.event((int) (w0 >>> 56), (int) (w0 >>> 48) & 0xff, (int) (w0 >>> 40) & 0xff, (int) (w1 >>> 32),
                    (int) (w0 >>> 16) & 0xffff, (int) w1, (int) w0 & 0xffff, when);
            h++;
            n++;
        }
        HEAD.setRelease(this, h);
        return n;
    }
}
