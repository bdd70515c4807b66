package dev.natgw.nat.internal;

import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.fastpath.WorkerRequest;
import java.util.concurrent.locks.LockSupport;

/**
 * The control plane's side of the workers' mailboxes: posts a {@link WorkerRequest} (list or clear sessions,
 * reserve a static port) to one worker, which answers it between bursts, and waits for the answer. Control threads
 * only; one request in flight at a time.
 */
public final class WorkerMailbox {
    /** How long the control plane waits for a worker to answer a request. */
    public static final long ANSWER_MILLIS = 5_000;

    private final Object requestLock = new Object();

    /**
     * Posts a request to a worker and waits for its answer; one request at a time over all workers.
     *
     * @param e the engine
     * @param w the worker
     * @param r the request
     * @throws IllegalStateException if the worker does not take or answer it within {@value #ANSWER_MILLIS} ms
     */
    public void ask(NatEngine e, int w, WorkerRequest r) {
        synchronized (requestLock) {
            long deadline = System.nanoTime() + ANSWER_MILLIS * 1_000_000;
            try {
                while (!e.post(w, r)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("NAT worker " + w + " has not taken the previous request");
                    }
                    Thread.onSpinWait();
                    LockSupport.parkNanos(100_000);
                }
                if (!r.await(ANSWER_MILLIS)) {
                    e.withdraw(w, r);
                    throw new IllegalStateException("NAT worker " + w + " did not answer within " + ANSWER_MILLIS
                            + " ms; is the dataplane running?");
                }
            } catch (InterruptedException ex) {
                e.withdraw(w, r);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for NAT worker " + w, ex);
            }
        }
    }

}
