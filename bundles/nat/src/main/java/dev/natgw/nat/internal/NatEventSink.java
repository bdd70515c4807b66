package dev.natgw.nat.internal;

/**
 * A consumer of the NAT events the {@code EventLog} thread drains from the workers' rings, registered as a service
 * inside the nat bundle (a whiteboard the translator binds dynamically). Called on the draining thread, and possibly
 * on a control thread draining at detach at the same time: an implementation is thread-safe and never blocks, so a
 * slow consumer can only lose events (and count them), never hold up the rings behind it.
 */
public interface NatEventSink {
    /**
     * One event, as a worker recorded it.
     *
     * @param type the event type, one of the {@code EventRing} constants
     * @param proto the IP protocol number
     * @param poolSlot the pool's slot in the engine
     * @param poolName the pool's name, or null if the slot is unknown
     * @param inAddr the inside address
     * @param inPort the inside port
     * @param outAddr the outside address, 0 for a refusal
     * @param outPort the outside port, 0 for a refusal
     * @param epochMillis when it happened
     */
    void event(int type, int proto, int poolSlot, String poolName, int inAddr, int inPort, int outAddr, int outPort,
            long epochMillis);
}
