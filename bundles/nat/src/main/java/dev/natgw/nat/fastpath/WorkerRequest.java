package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.SessionRow;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A control-plane request that one worker answers between bursts, in {@code tick}: list sessions, clear
 * sessions, or reserve or release a port for a static mapping. The control thread allocates it (with room
 * for the answer) and waits; the worker fills primitive arrays and counts down, allocating nothing.
 */
public final class WorkerRequest {
    /** Copy matching sessions into the answer arrays. */
    public static final int LIST = 1;
    /** Delete matching sessions. */
    public static final int CLEAR = 2;
    /** Take a port out of a pool's service for a static mapping. */
    public static final int RESERVE = 3;
    /** Give a reserved port back to its pool. */
    public static final int UNRESERVE = 4;

    final int kind;
    // filter: protocol 0 = any; hasInside/hasRemote say whether the address fields apply; pool -1 = any
    final int protocol;
    final boolean hasInside;
    final int inside;
    final boolean hasRemote;
    final int remote;
    final int poolSlot;
    final int limit;
    // reserve / unreserve
    final int addrIndex;
    final int port;

    /** Answer: LIST rows of {@link SessionRow#FIELDS} longs; CLEAR count in {@link #count}; RESERVE result in count. */
    final long[] rows;
    int count;
    private final CountDownLatch done = new CountDownLatch(1);

    private WorkerRequest(int kind, int protocol, boolean hasInside, int inside, boolean hasRemote, int remote,
            int poolSlot, int limit, int addrIndex, int port) {
        this.kind = kind;
        this.protocol = protocol;
        this.hasInside = hasInside;
        this.inside = inside;
        this.hasRemote = hasRemote;
        this.remote = remote;
        this.poolSlot = poolSlot;
        this.limit = limit;
        this.addrIndex = addrIndex;
        this.port = port;
        this.rows = kind == LIST ? new long[limit * SessionRow.FIELDS] : new long[0];
    }

    /**
     * A LIST or CLEAR request.
     *
     * @param kind {@link #LIST} or {@link #CLEAR}
     * @param protocol the IP protocol number, 0 for any
     * @param inside the inside address, or null
     * @param remote the remote address, or null
     * @param poolSlot the pool slot, -1 for any
     * @param limit the most sessions to list or clear
     * @return the request
     */
    public static WorkerRequest sessions(int kind, int protocol, Integer inside, Integer remote, int poolSlot,
            int limit) {
        return new WorkerRequest(kind, protocol, inside != null, inside == null ? 0 : inside, remote != null,
                remote == null ? 0 : remote, poolSlot, limit, 0, 0);
    }

    /**
     * A RESERVE or UNRESERVE request.
     *
     * @param kind {@link #RESERVE} or {@link #UNRESERVE}
     * @param protocol the IP protocol number
     * @param poolSlot the pool's slot
     * @param addrIndex the address index in the pool
     * @param port the port
     * @return the request
     */
    public static WorkerRequest port(int kind, int protocol, int poolSlot, int addrIndex, int port) {
        return new WorkerRequest(kind, protocol, false, 0, false, 0, poolSlot, 0, addrIndex, port);
    }

    /** Called by the worker once the answer is complete. */
    void complete() {
        done.countDown();
    }

    /**
     * Waits for the worker's answer.
     *
     * @param millis the longest wait
     * @return true if answered
     * @throws InterruptedException if interrupted
     */
    public boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    /** {@return the count answered (sessions listed or cleared; 1 for a reservation made)} */
    public int count() {
        return count;
    }

    /**
     * Returns a field of a listed session.
     *
     * @param row the session, 0..count-1
     * @param field the field, 0..{@link SessionRow#FIELDS}-1
     * @return its value
     */
    public long field(int row, int field) {
        return rows[row * SessionRow.FIELDS + field];
    }
}
