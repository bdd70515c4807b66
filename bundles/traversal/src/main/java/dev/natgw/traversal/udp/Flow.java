package dev.natgw.traversal.udp;

import java.io.IOException;
import java.net.Socket;
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
    private volatile boolean writing;

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

    /**
     * Marks the start of a write to the flow's stream, unless the flow has ended.
     *
     * @return false if it has ended: do not write
     */
    final boolean startWrite() {
        writing = true;
        if (ended()) {
            writing = false;
            return false;
        }
        return true;
    }

    /** Marks the end of a write started by {@link #startWrite()}. */
    final void endWrite() {
        writing = false;
    }

    /** {@return whether a write to the stream is under way (it may be blocked on a peer that does not read)} */
    final boolean writing() {
        return writing;
    }

    /**
     * Closes the ended flow's stream on a virtual thread of its own, so that whoever ends the flow (the reaper, the
     * receiving thread, an accepting loop) never waits for it: the traversal's streams wait up to two seconds for the
     * peer's end, and a TLS close writes a close_notify under the lock that a writer blocked on a peer that does not
     * read holds for ever. While a write is under way (the flow ended, so nothing it still carries matters) the
     * close is an abort: SO_LINGER 0 makes JSSE give up that lock at once and shut the output, which ends the blocked
     * write, and the close a reset. Otherwise the close is the ordinary one, the close_notify and a FIN.
     */
    final void closeLater(Socket stream) {
        boolean abort = writing;
        Thread.ofVirtual().name("natgw-udp-close").start(() -> {
            try {
                if (abort) {
                    stream.setSoLinger(true, 0);
                }
                stream.close();
            } catch (IOException e) {
                // closing anyway
            }
        });
    }

    /** Interrupts t unless it is null or the caller. */
    static void interrupt(Thread t) {
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }
}
