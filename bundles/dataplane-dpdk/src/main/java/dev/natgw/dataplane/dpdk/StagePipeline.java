package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.RssConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages the workers run after the gateway: the {@link PacketStage} whiteboard's registrations, their
 * order, attach and detach, and succession (a withdrawn stage runs on until a stage of the same name takes
 * its place in one publication, or its hand-over time passes). Invariants: {@link #stages} is replaced whole,
 * never changed in place; a stage is attached before it is published and detached only after every live
 * worker has passed a burst boundary without it; each attachment has a context of its own, and the
 * addresses a stage claims through it are released when it is detached. Everything but the workers' read of
 * {@link #stages} runs under the engine's lock, which this class shares.
 */
final class StagePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(StagePipeline.class);

    private final Object lock;
    private final long handoverMillis;
    private final AddressClaims claims;
    /** The context of each attached stage, whose address claim ends with its detach; under the lock. */
    private final Map<PacketStage, AddressClaims.Attachment> attachments = new IdentityHashMap<>();
    private final List<Registered> registered = new ArrayList<>();
    /** Withdrawn stages the workers still run until a successor of the same name comes; under the lock. */
    private final Map<String, Registered> withdrawn = new HashMap<>();
    /** The stages the workers run, after the gateway; replaced whole, never changed in place. */
    volatile PacketStage[] stages = new PacketStage[0];
    /** Whether the workers run: stages are attached on adding, detached after quiescence; under the lock. */
    private boolean running;
    private int workerCount;
    private RssConfig rss;
    private List<PortInfo> ports;
    private Worker[] workers;
    private Thread[] threads;

    private record Registered(PacketStage stage, String name, int order, long serviceId) {
    }

    /**
     * @param lock the engine's lock, under which the engine starts and stops the workers
     * @param handoverMillis how long a withdrawn stage runs on while it waits for a successor, 0 for not at all
     * @param claims where the stages' address claims go
     */
    StagePipeline(Object lock, long handoverMillis, AddressClaims claims) {
        this.lock = lock;
        this.handoverMillis = handoverMillis;
        this.claims = claims;
    }

    /**
     * Attaches every registered stage to new workers and publishes them, before the workers start, so that no
     * burst meets a pipeline without its stages; under the lock. A stage that refuses to attach is dropped.
     *
     * @param workers the number of workers
     * @param rssConfig the RSS configuration the ports are programmed with
     * @param portInfos the ports
     */
    void attachAll(int workers, RssConfig rssConfig, List<PortInfo> portInfos) {
        workerCount = workers;
        rss = rssConfig;
        ports = List.copyOf(portInfos);
        for (Registered r : List.copyOf(registered)) {
            attach(r);
        }
        publish();
    }

    /**
     * Says the workers run from now on, on these threads; under the lock.
     *
     * @param ws the workers
     * @param ts their threads
     */
    void running(Worker[] ws, Thread[] ts) {
        workers = ws;
        threads = ts;
        running = true;
    }

    /**
     * Detaches every stage after the workers stopped; a withdrawn stage waiting for its successor is gone for
     * good; under the lock.
     */
    void detachAll() {
        running = false;
        for (Registered r : registered) {
            detach(r.stage);
        }
        registered.removeAll(withdrawn.values());
        withdrawn.clear();
        lock.notifyAll();
    }

    /** {@return the gateway's and the registered stages' names, in run order} */
    List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(Engine.GATEWAY_STAGE);
        synchronized (lock) {
            for (Registered r : registered) {
                names.add(r.name);
            }
        }
        return names;
    }

    /**
     * Adds a stage: attaches it (when running) and publishes the new array. A stage whose name is taken
     * is not added, unless the stage of that name was withdrawn and still runs while it waits for its
     * successor: then the new stage succeeds it (see {@link #remove(PacketStage)}).
     *
     * @return false, with the reason logged, if it was not added
     */
    boolean add(PacketStage stage, String name, int order, long serviceId) {
        synchronized (lock) {
            if (name == null || name.isBlank() || name.equals(Engine.GATEWAY_STAGE)) {
                LOG.warn("natgw dataplane: a stage without a usable {} is not added", PacketStage.STAGE_NAME);
                return false;
            }
            Registered predecessor = withdrawn.get(name);
            for (Registered r : registered) {
                if (r != predecessor && (r.name.equals(name) || r.stage == stage)) {
                    LOG.warn("natgw dataplane: stage name {} is taken; the new stage is not added", name);
                    return false;
                }
            }
            Registered r = new Registered(stage, name, order, serviceId);
            if (running && !attach(r)) {
                return false;
            }
            if (predecessor != null) {
                succeed(predecessor, r);
                return true;
            }
            registered.add(r);
            sortAndPublish();
            LOG.info("natgw dataplane: stage {} (order {}) added; stages now {}", name, order, names());
            return true;
        }
    }

    /**
     * Puts an attached successor in its withdrawn predecessor's place in one publication, waits until no
     * worker runs the predecessor any more, and detaches it. Under the lock, while running.
     */
    private void succeed(Registered old, Registered next) {
        withdrawn.remove(old.name);
        registered.set(registered.indexOf(old), next);
        sortAndPublish();
        awaitQuiescence();
        detach(old.stage);
        lock.notifyAll();
        LOG.info("natgw dataplane: stage {} handed over to its successor (service {} -> {}); stages now {}",
                old.name, old.serviceId, next.serviceId, names());
    }

    /**
     * Withdraws a stage. While the workers run and {@link DataplaneSettings#stageHandoverMillis()} is
     * positive, the stage keeps running until a stage of the same name is added (which then succeeds it
     * in one publication) or until that time passes; then, or at once with a hand-over time of 0, the array
     * is published without it, every worker passes a burst boundary, and the stage is detached.
     */
    void remove(PacketStage stage) {
        synchronized (lock) {
            Registered found = null;
            for (Registered r : registered) {
                if (r.stage == stage) {
                    found = r;
                }
            }
            if (found == null || withdrawn.get(found.name) == found) {
                return;
            }
            long millis = handoverMillis;
            if (running && millis > 0) {
                withdrawn.put(found.name, found);
                Registered waiting = found;
                Thread.ofPlatform().name("natgw-stage-handover-" + found.name).daemon(true)
                        .start(() -> expire(waiting, System.nanoTime() + millis * 1_000_000L));
                LOG.info("natgw dataplane: stage {} withdrawn; it keeps running for up to {} ms until its"
                        + " successor comes", found.name, millis);
                return;
            }
            drop(found);
        }
    }

    /** Removes a withdrawn stage whose successor did not come in time; on its own short-lived thread. */
    private void expire(Registered r, long deadlineNanos) {
        synchronized (lock) {
            long left;
            while (withdrawn.get(r.name) == r && (left = deadlineNanos - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (withdrawn.remove(r.name, r)) {
                LOG.info("natgw dataplane: no successor for stage {} within {} ms", r.name, handoverMillis);
                drop(r);
            }
        }
    }

    /** Publishes the array without a stage, waits for quiescence and detaches it; under the lock. */
    private void drop(Registered r) {
        registered.remove(r);
        publish();
        if (running) {
            awaitQuiescence();
            detach(r.stage);
        }
        LOG.info("natgw dataplane: stage {} removed; stages now {}", r.name, names());
    }

    /** {@return the names of withdrawn stages still running while they wait for a successor} */
    List<String> handingOver() {
        synchronized (lock) {
            return List.copyOf(withdrawn.keySet());
        }
    }

    /** Attaches a stage with a context of its own and reads the addresses it claimed; under the lock. */
    private boolean attach(Registered r) {
        AddressClaims.Attachment a = claims.attachment(workerCount, rss, ports);
        attachments.put(r.stage, a);
        try {
            r.stage.attach(a);
        } catch (RuntimeException e) {
            LOG.error("natgw dataplane: stage {} refused to attach; not added", r.name, e);
            registered.remove(r);
            release(r.stage);
            return false;
        }
        claims.refresh();
        return true;
    }

    /** Detaches a stage and ends its address claim; under the lock. */
    private void detach(PacketStage stage) {
        try {
            stage.detach();
        } catch (RuntimeException e) {
            LOG.warn("natgw dataplane: a stage failed to detach", e);
        }
        release(stage);
    }

    private void release(PacketStage stage) {
        AddressClaims.Attachment a = attachments.remove(stage);
        if (a != null) {
            claims.release(a);
            claims.refresh();
        }
    }

    private void sortAndPublish() {
        registered.sort(Comparator.comparingInt(Registered::order).thenComparingLong(Registered::serviceId));
        publish();
    }

    private void publish() {
        stages = registered.stream().map(Registered::stage).toArray(PacketStage[]::new);
    }

    private void awaitQuiescence() {
        awaitQuiescence(workers, threads);
    }

    /**
     * Waits until every live worker has started a new loop iteration, so none still uses what was replaced.
     *
     * @param ws the workers
     * @param threads their threads, by worker id
     */
    static void awaitQuiescence(Worker[] ws, Thread[] threads) {
        long[] seen = new long[ws.length];
        for (int w = 0; w < ws.length; w++) {
            seen[w] = ws[w].epoch;
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (int w = 0; w < ws.length; w++) {
            while (ws[w].epoch == seen[w] && threads[w].isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
    }
}
