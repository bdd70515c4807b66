package dev.natgw.api.dataplane;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A step of the packet path, registered as an OSGi service (whiteboard) and run by every dataplane
 * worker on each burst it receives. Registering or withdrawing a stage swaps the workers' stage
 * array; workers never stop for it.
 *
 * <p>
 * Every stage service must carry {@link #STAGE_NAME} and {@link #STAGE_ORDER}; a stage missing
 * either, or whose name another stage already uses, is not added (the dataplane logs why). Stages
 * run in ascending order; equal orders run in ascending service id. The bands are reserved as
 * follows: 100 ARP and neighbour handling ({@link #ORDER_NEIGHBOUR}), 200 ICMP addressed to the
 * appliance itself ({@link #ORDER_TO_SELF}), 500 NAT ({@link #ORDER_NAT}), 900 fallback and plain
 * forwarding ({@link #ORDER_FALLBACK}).
 *
 * <p>
 * Life cycle, for a stage added to a running dataplane: {@link #attach(StageContext)} on a control
 * thread, then {@link #process(PacketBurst)} on the workers, then {@link #detach()} on a control
 * thread. The dataplane publishes the stage array through a volatile field after {@code attach}
 * returns, so everything {@code attach} wrote is visible to the workers.
 *
 * <p>
 * Succession (hot deploy). When a stage's service is unregistered while the dataplane runs, the
 * dataplane keeps running the stage until a stage with the same {@link #STAGE_NAME} is registered, or
 * until its hand-over time passes (the dataplane's {@code stage.handover.millis}, 0 for none). When the
 * successor comes, the dataplane attaches it while the old stage still runs, then publishes the stage
 * array with the successor in the old stage's place in one volatile write, waits until every worker
 * has passed a burst boundary, and only then detaches the old stage. Each packet is thus processed by
 * exactly one of the two, and no burst meets a pipeline without a stage of that name. What a stage
 * must do for this: keep everything {@link #process} and {@link #tick} use until {@link #detach()},
 * even after its own component was deactivated (its service unregistered); and, if the successor
 * adopts the old stage's state, expect the successor's {@code attach} to run while the old stage's
 * {@code process} still runs on the workers, so state that both share is touched only by the worker
 * that owns it. When no successor comes in time the stage is withdrawn and detached as usual.
 */
@ConsumerType
public interface PacketStage {
    /**
     * Service property: the stage's unique name, a {@code String}, shown by {@link Dataplane#stages()}.
     */
    String STAGE_NAME = "natgw.stage.name";
    /** Service property: the stage's place in the run order, an {@code Integer}; lower runs first. */
    String STAGE_ORDER = "natgw.stage.order";

    /** Order band of ARP and neighbour handling. */
    int ORDER_NEIGHBOUR = 100;
    /** Order band of ICMP addressed to the appliance itself. */
    int ORDER_TO_SELF = 200;
    /** Order band of the NAT translator. */
    int ORDER_NAT = 500;
    /** Order band of the fallback and plain forwarding. */
    int ORDER_FALLBACK = 900;

    /** The longest time, in nanoseconds, between two {@link #tick(int, long)} calls on one worker. */
    long TICK_INTERVAL_NANOS = 1_000_000L;

    /**
     * Handles one burst. Called on a worker thread; never concurrently for the same
     * {@link PacketBurst#workerId()}, but concurrently for different workers, so per-worker state is
     * indexed by worker id. Acts only on slots whose verdict is {@link Verdict#PASS}, rewriting them in
     * place and setting their verdict. Must not block, allocate, lock, log or call OSGi, and must not
     * keep the burst after returning. An exception thrown here is counted; the dataplane then drops the
     * burst's slots still at {@link Verdict#PASS} and runs no later stage on it, so a failing stage
     * never lets packets bypass it.
     *
     * @param burst the burst, owned by the calling worker
     */
    void process(PacketBurst burst);

    /**
     * Gives the stage a worker's time between bursts, busy or idle: at least every
     * {@link #TICK_INTERVAL_NANOS} on each worker, so that timers (session expiry), control requests queued
     * for the worker and event rings make progress on a worker that receives nothing. Same rules as
     * {@link #process(PacketBurst)}: on the worker's thread, never concurrently for one worker id; must not
     * block, allocate, lock, log or call OSGi. Does nothing by default.
     *
     * @param workerId the calling worker
     * @param nanoTime {@link System#nanoTime()} as the worker read it for this tick
     */
    default void tick(int workerId, long nanoTime) {
    }

    /**
     * Prepares the stage for the dataplane's workers, for example sizing per-worker state to
     * {@link StageContext#workerCount()}. Called on a control thread after the stage is added to a
     * running dataplane and before its first {@link #process} call, and again, with no {@code process}
     * call running, whenever the workers change. If it throws, the stage is not added.
     * Does nothing by default.
     *
     * @param ctx the dataplane's workers, RSS configuration and ports
     */
    default void attach(StageContext ctx) {
    }

    /**
     * Releases what {@link #attach(StageContext)} set up. Called on a control thread after the last
     * {@link #process} call has returned, when the stage is withdrawn or the dataplane stops; for a stage
     * whose service went away, possibly some time after that (see succession above), and after its
     * successor's {@code attach}. Does nothing by default.
     */
    default void detach() {
    }
}
