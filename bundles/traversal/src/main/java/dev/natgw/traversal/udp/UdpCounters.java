package dev.natgw.traversal.udp;

import java.util.concurrent.atomic.AtomicLong;

/** What a {@link UdpForward} or {@link UdpExpose} did and refused, per reason, since it opened. Thread-safe. */
public final class UdpCounters {
    final AtomicLong flowsOpened = new AtomicLong();
    final AtomicLong flowsRefused = new AtomicLong();
    final AtomicLong flowsIdle = new AtomicLong();
    final AtomicLong flowsFailed = new AtomicLong();
    final AtomicLong datagramsCarried = new AtomicLong();
    final AtomicLong datagramsDropped = new AtomicLong();
    final AtomicLong datagramsTooLarge = new AtomicLong();

    UdpCounters() {
    }

    /** {@return flows started} */
    public long flowsOpened() {
        return flowsOpened.get();
    }

    /** {@return flows not started because {@link UdpLimits#maxFlows()} were open} */
    public long flowsRefused() {
        return flowsRefused.get();
    }

    /** {@return flows ended because they were quiet too long} */
    public long flowsIdle() {
        return flowsIdle.get();
    }

    /** {@return flows ended by an error: their stream could not be opened, broke, or carried a bad frame} */
    public long flowsFailed() {
        return flowsFailed.get();
    }

    /** {@return datagrams carried, both ways} */
    public long datagramsCarried() {
        return datagramsCarried.get();
    }

    /** {@return datagrams dropped because their flow's queue was full, or their flow was refused} */
    public long datagramsDropped() {
        return datagramsDropped.get();
    }

    /** {@return datagrams dropped because they were longer than {@link DatagramFrames#MAX_DATAGRAM}} */
    public long datagramsTooLarge() {
        return datagramsTooLarge.get();
    }

    @Override
    public String toString() {
        return flowsOpened() + " flows opened, " + flowsRefused() + " refused (too many at once), " + flowsIdle()
                + " ended idle, " + flowsFailed() + " failed; " + datagramsCarried() + " datagrams carried, "
                + datagramsDropped() + " dropped, " + datagramsTooLarge() + " too large";
    }
}
