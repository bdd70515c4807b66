package dev.natgw.nat.internal;

import java.util.concurrent.locks.LockSupport;

/** Ending the bundle's own threads, which park between rounds of work. */
public final class Threads {
    private Threads() {
    }

    /**
     * Wakes a thread that parks in its loop and waits up to 2 s for it to end; the caller has told it to stop.
     *
     * @param t the thread
     */
    public static void awaitEnd(Thread t) {
        LockSupport.unpark(t);
        try {
            t.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
