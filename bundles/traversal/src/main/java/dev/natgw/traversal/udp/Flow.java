package dev.natgw.traversal.udp;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One UDP flow carried over one stream: when it last carried a datagram, how many it carried each way, and its end,
 * which runs once whoever calls it first (a broken stream, the reaper, a close).
 */
abstract class Flow {
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long lastNanos = System.nanoTime();
    // each written by one thread only: the one carrying that direction
    private volatile long toService;
    private volatile long fromService;

    /** A datagram went towards the service. */
    final void carriedToService() {
        toService++;
        lastNanos = System.nanoTime();
    }

    /** A datagram came back from the service. */
    final void carriedFromService() {
        fromService++;
        lastNanos = System.nanoTime();
    }

    /** {@return whether the flow was quiet longer than limits allow at now (System.nanoTime())} */
    final boolean quietTooLong(long now, UdpLimits limits) {
        return now - lastNanos >= limits.quietLimit(toService, fromService).toNanos();
    }

    final boolean ended() {
        return ended.get();
    }

    /**
     * Ends the flow.
     *
     * @return true if this call ended it, false if it had ended already
     */
    final boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        release();
        return true;
    }

    /** Closes the flow's sockets and leaves its table; runs once. */
    abstract void release();
}
