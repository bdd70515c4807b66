package dev.natgw.api.dataplane;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running packet dataplane: its ports, workers, statistics and RSS configuration, and packet
 * capture. Packets themselves are handled by {@link PacketStage}s.
 *
 * <p>
 * Every method is control-plane: safe from any thread, but never to be called from a worker (that
 * is, from {@link PacketStage#process}), since it may allocate, lock or wait for the workers.
 */
@ProviderType
public interface Dataplane {
    /** {@return the ports, in configuration order} */
    List<PortInfo> ports();

    /**
     * Reads one port's counters from the NIC.
     *
     * @param port the port's name
     * @return its counters now
     * @throws IllegalArgumentException naming the port if there is no such port
     */
    PortStats portStats(String port);

    /** {@return the workers, by ascending id} */
    List<WorkerInfo> workers();

    /**
     * Returns the RSS configuration the NIC is programmed with; the NAT port allocator must use this
     * one, so that the two agree on which queue, and so which worker, a flow lands on.
     *
     * @return the RSS configuration
     */
    RssConfig rss();

    /**
     * Returns the dataplane's own counters, summed over its workers: packets it dropped, by reason (names
     * starting {@code drop-}), and packets it answered or made itself (ARP replies and requests, echo
     * replies, ICMP errors, handoffs). Stages count their own drops. A newer dataplane may add names.
     *
     * @return counter name to count, in a stable order; empty if the dataplane keeps none
     * @since 1.1
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /** {@return the names of the attached stages, in run order} */
    List<String> stages();

    /**
     * Captures frames the port receives or transmits into a pcap file that Wireshark and tcpdump read,
     * creating or replacing it. Blocks the caller until {@code packets} frames are captured or
     * {@code timeout} has passed, whichever comes first; if the caller is interrupted, stops early and
     * returns with the interrupt status set. The workers copy frames to the capture without blocking
     * and skip frames when it falls behind.
     *
     * @param port the port's name
     * @param packets the most frames to capture, at least 1
     * @param timeout the longest wait, positive
     * @param file the pcap file to write
     * @return what was written
     * @throws IllegalArgumentException if there is no such port (naming it), packets is below 1 or
     *     timeout is not positive
     * @throws IllegalStateException if a capture on this port is already running
     * @throws IOException if the file cannot be written
     */
    CaptureResult capture(String port, int packets, Duration timeout, Path file) throws IOException;
}
