package dev.natgw.nat.fastpath;

import dev.natgw.api.dataplane.StageContext;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The translator as attached to one set of dataplane workers: the RSS hash and port ownership they share,
 * one {@link NatWorker} each, the configuration snapshot they read and the mailboxes the control plane
 * writes to. Made on a control thread in {@code attach}, closed in {@code detach} after the last burst.
 */
public final class NatEngine implements AutoCloseable {
    private final int workers;
    private final Toeplitz toeplitz;
    private final dev.natgw.api.dataplane.RssConfig rss;
    private final int[] workerForQueue;
    private final NatWorker[] perWorker;
    private final AtomicReferenceArray<WorkerRequest> mailbox;
    private volatile NatSnapshot snapshot;

    /**
     * Makes the engine.
     *
     * @param ctx the dataplane's workers and RSS configuration
     * @param sessionsMax sessions over all workers
     * @param hostsMax inside hosts tracked per worker for quotas
     * @param eventRing events buffered per worker
     * @param initial the first snapshot
     */
    public NatEngine(StageContext ctx, int sessionsMax, int hostsMax, int eventRing,
            NatSnapshot initial) {
        this.workers = ctx.workerCount();
        this.toeplitz = new Toeplitz(ctx.rss().key());
        this.rss = ctx.rss();
        this.workerForQueue = new int[rss.queues()];
        for (int q = 0; q < workerForQueue.length; q++) {
            workerForQueue[q] = ctx.workerForQueue(q);
        }
        this.mailbox = new AtomicReferenceArray<>(workers);
        this.snapshot = initial;
        this.perWorker = new NatWorker[workers];
        int each = (int) Math.max(1, ((long) sessionsMax + workers - 1) / workers);
        try {
            for (int w = 0; w < workers; w++) {
                perWorker[w] = new NatWorker(w, this, each, hostsMax, eventRing);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** {@return the number of workers} */
    public int workers() {
        return workers;
    }

    /** {@return the RSS hash the NIC uses} */
    public Toeplitz toeplitz() {
        return toeplitz;
    }

    /**
     * Deals the ports of a range to the workers; a pool's allocators and the out2in owner lookup of its
     * addresses both use the one this returns for the pool's range.
     *
     * @param portMin the range's lowest port
     * @param portMax its highest
     * @return the ownership
     */
    public PortOwnership ownership(int portMin, int portMax) {
        return new PortOwnership(toeplitz, rss, workerForQueue, portMin, portMax);
    }

    /**
     * Returns a worker's translator.
     *
     * @param w the worker id
     * @return its translator
     */
    public NatWorker worker(int w) {
        return perWorker[w];
    }

    /** {@return the configuration the workers use now} */
    public NatSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Publishes a new configuration; workers use it from their next burst or tick.
     *
     * @param s the snapshot
     */
    public void publish(NatSnapshot s) {
        snapshot = s;
    }

    /**
     * Posts a request to a worker; control plane, one request per worker at a time.
     *
     * @param w the worker
     * @param r the request
     * @return false if the worker has not taken the previous one yet
     */
    public boolean post(int w, WorkerRequest r) {
        return mailbox.compareAndSet(w, null, r);
    }

    /**
     * Withdraws a request the worker has not taken, after a timeout.
     *
     * @param w the worker
     * @param r the request
     */
    public void withdraw(int w, WorkerRequest r) {
        mailbox.compareAndSet(w, r, null);
    }

    WorkerRequest takeRequest(int w) {
        // a plain read first: the swap is a locked instruction and the mailbox is almost always empty
        return mailbox.get(w) == null ? null : mailbox.getAndSet(w, null);
    }

    @Override
    public void close() {
        for (NatWorker w : perWorker) {
            if (w != null) {
                w.close();
            }
        }
    }
}
