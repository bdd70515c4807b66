package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.StageContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses the attached stages claim through their {@link StageContext}s, which the gateway answers
 * ARP for on the outside. A claim belongs to one attachment: {@link #release} ends it when the stage is
 * detached, and a claim made through a released context is ignored. {@link #refresh} reads every claim
 * and publishes their union to the {@link Interfaces} whole; it holds no lock while it reads, since a
 * stage's reading takes the stage's own locks, and a stage may claim while holding them. Two refreshes that
 * overlap may publish an older reading last; the housekeeper's next refresh, within a second, corrects it.
 */
final class AddressClaims {
    private static final Logger LOG = LoggerFactory.getLogger(AddressClaims.class);

    private final Interfaces ifs;
    /** The live claims by attachment, and the last good reading of each; under this object's monitor. */
    private final Map<Attachment, Supplier<int[]>> claims = new LinkedHashMap<>();
    private final Map<Attachment, int[]> readings = new LinkedHashMap<>();

    AddressClaims(Interfaces ifs) {
        this.ifs = ifs;
    }

    /**
     * A stage's context for one attachment; compared by identity, so each attachment's claim is its own.
     */
    final class Attachment implements StageContext {
        private final int workerCount;
        private final RssConfig rss;
        private final List<PortInfo> ports;
        private boolean released;

        private Attachment(int workerCount, RssConfig rss, List<PortInfo> ports) {
            this.workerCount = workerCount;
            this.rss = rss;
            this.ports = List.copyOf(ports);
        }

        @Override
        public int workerCount() {
            return workerCount;
        }

        @Override
        public RssConfig rss() {
            return rss;
        }

        @Override
        public List<PortInfo> ports() {
            return ports;
        }

        @Override
        public int workerForQueue(int rxQueue) {
            return Objects.checkIndex(rxQueue, rss.queues());
        }

        @Override
        public void claimAddresses(Supplier<int[]> ranges) {
            Objects.requireNonNull(ranges, "ranges");
            synchronized (AddressClaims.this) {
                if (!released) {
                    claims.put(this, ranges);
                }
            }
        }
    }

    /**
     * Makes the context of a new attachment.
     *
     * @param workerCount the workers
     * @param rss the RSS configuration
     * @param ports the ports
     * @return the context
     */
    Attachment attachment(int workerCount, RssConfig rss, List<PortInfo> ports) {
        return new Attachment(workerCount, rss, ports);
    }

    /**
     * Ends an attachment's claim; later claims through it are ignored. Call {@link #refresh} after.
     *
     * @param a the attachment
     */
    synchronized void release(Attachment a) {
        a.released = true;
        claims.remove(a);
        readings.remove(a);
    }

    /** Reads every claim and publishes the union of the readings; on a control thread. */
    void refresh() {
        Map<Attachment, Supplier<int[]>> now;
        synchronized (this) {
            now = new LinkedHashMap<>(claims);
        }
        Map<Attachment, int[]> read = new LinkedHashMap<>();
        for (Map.Entry<Attachment, Supplier<int[]>> c : now.entrySet()) {
            try {
                int[] r = c.getValue().get();
                if (r != null && r.length % 2 == 0) {
                    read.put(c.getKey(), r.clone());
                }
            } catch (RuntimeException e) {
                LOG.debug("natgw dataplane: cannot read a stage's claimed addresses", e);
            }
        }
        synchronized (this) {
            for (Map.Entry<Attachment, int[]> r : read.entrySet()) {
                // a claim released while it was read stays released
                if (claims.containsKey(r.getKey())) {
                    readings.put(r.getKey(), r.getValue());
                }
            }
            int n = 0;
            for (int[] r : readings.values()) {
                n += r.length;
            }
            int[] flat = new int[n];
            int at = 0;
            for (int[] r : readings.values()) {
                System.arraycopy(r, 0, flat, at, r.length);
                at += r.length;
            }
            ifs.setProxyRanges(flat);
        }
    }
}
