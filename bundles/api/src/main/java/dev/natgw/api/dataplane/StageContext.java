package dev.natgw.api.dataplane;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a {@link PacketStage} learns about the dataplane when it is attached. Immutable for the life
 * of one attachment; when the workers change the stage is attached again with a new context. Every
 * method is allocation-free once the context exists, so a stage may keep the context and call it
 * from a worker.
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
}
