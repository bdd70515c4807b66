package dev.natgw.api.dataplane;

import java.util.List;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a {@link PacketStage} learns about the dataplane when it is attached, and what it tells the
 * dataplane back. One context per attachment: its facts are fixed for the attachment's life, and when
 * the workers change the stage is attached again with a new context. Every method but
 * {@link #claimAddresses} is allocation-free once the context exists, so a stage may keep the context
 * and call them from a worker.
 */
@ProviderType
public interface StageContext {
    /** {@return the number of workers; every {@link PacketBurst#workerId()} is below it} */
    int workerCount();

    /**
     * {@return the RSS configuration the NIC is programmed with, the same as {@link Dataplane#rss()}}
     */
    RssConfig rss();

    /** {@return the ports, inside and outside} */
    List<PortInfo> ports();

    /**
     * Returns the worker that polls a receive queue. The mapping is the same on every port, so a flow
     * whose two directions hash to the same queue number is handled by one worker; together with
     * {@link RssConfig#queueForHash(int)} it tells the NAT port allocator which worker a return flow
     * lands on.
     *
     * @param rxQueue the receive queue, 0..rss().queues()-1
     * @return the worker id, 0..workerCount()-1
     * @throws IndexOutOfBoundsException if rxQueue is out of range
     */
    int workerForQueue(int rxQueue);

    /**
     * Claims IPv4 addresses for the stage, as the NAT claims its pools' global addresses: the dataplane
     * answers ARP for them on the outside port, and hands packets addressed to them to the stages even where
     * one is the appliance's own address. The claim is a live view, which the dataplane reads on a control
     * thread when {@link PacketStage#attach attach} returns and about once a second after that, so
     * addresses the stage gains or loses while attached are answered for, or no longer, within a second. The
     * claim lasts as long as this attachment: once the stage is detached (withdrawn, replaced by its
     * successor, or the dataplane stops) its addresses are no longer answered for, unless another attached
     * stage claims them; calls after that are ignored. A later call replaces this attachment's claim. Call
     * from {@code attach} or another control thread, never from {@code process} or {@code tick}.
     *
     * <p>
     * The default ignores the claim, for contexts that answer no ARP (a test's fake); the dataplane's own
     * context does not.
     *
     * @param ranges returns the addresses as unsigned inclusive pairs {@code [first0, last0, first1, last1,
     *     ...]}; called on a dataplane control thread, never a worker, possibly while the dataplane holds
     *     its own locks, so it may take the stage's locks but must not call the dataplane. A reading that
     *     throws or has an odd length keeps the previous one.
     * @since 1.3
     */
    default void claimAddresses(Supplier<int[]> ranges) {
    }
}
