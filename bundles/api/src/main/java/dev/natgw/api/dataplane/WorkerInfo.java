package dev.natgw.api.dataplane;

import java.util.List;

/**
 * One dataplane worker: the core it runs on, the queues it polls and how busy it is.
 *
 * @param id the worker id, at least 0, as in {@link PacketBurst#workerId()}
 * @param cpu the CPU the worker's thread is pinned to, or -1 if it is not pinned
 * @param queues the receive queues it polls, each as {@code port:queue}, such as {@code "inside:0"}
 * @param bursts non-empty bursts received since start
 * @param packets packets received since start
 * @param meanBurstFill mean of received packets over burst capacity, 0..1, over the recent past
 * @param busyShare share of time spent on non-empty bursts rather than idle polling, 0..1, over the
 *     recent past
 */
public record WorkerInfo(int id, int cpu, List<String> queues, long bursts, long packets, double meanBurstFill,
        double busyShare) {
    /** Validates and copies the queue list. */
    public WorkerInfo {
        Checks.nonNegative("id", id);
        if (cpu < -1) {
            throw new IllegalArgumentException("cpu must be >= -1, was " + cpu);
        }
        queues = List.copyOf(queues);
        Checks.nonNegative("bursts", bursts);
        Checks.nonNegative("packets", packets);
        Checks.share("meanBurstFill", meanBurstFill);
        Checks.share("busyShare", busyShare);
    }
}
