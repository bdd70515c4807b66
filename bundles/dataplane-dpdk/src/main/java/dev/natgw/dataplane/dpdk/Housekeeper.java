package dev.natgw.dataplane.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's periodic control-thread work while the workers run: once a second it turns the workers'
 * counters into burst fill and busy shares, expires and refreshes neighbours (ARP requests go out through
 * worker 0's control ring, so no port queue is shared), and republishes the addresses answered for by proxy
 * ARP as the stages claim them now. One thread per run of the workers; it writes only what it publishes through volatile fields, the
 * neighbour tables (lock-free) and worker 0's control ring, of which it is the only producer.
 */
final class Housekeeper {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);

    private final DataplaneSettings settings;
    private final Interfaces ifs;
    private final Worker[] workers;
    private final Port[] ports;
    private final AddressClaims claims;
    private final Map<Long, Long> lastProbe = new HashMap<>();
    private volatile boolean running = true;
    private volatile double[] burstFill;
    private volatile double[] busyShare;
    private Thread thread;

    /**
     * @param settings the configuration
     * @param ifs the ports' L3 facts and neighbour tables
     * @param workers the workers, started
     * @param ports the ports, inside and outside
     * @param claims the addresses the stages claim, to answer for by proxy ARP
     */
    Housekeeper(DataplaneSettings settings, Interfaces ifs, Worker[] workers, Port[] ports, AddressClaims claims) {
        this.settings = settings;
        this.ifs = ifs;
        this.workers = workers;
        this.ports = ports;
        this.claims = claims;
        this.burstFill = new double[workers.length];
        this.busyShare = new double[workers.length];
    }

    /** Starts the thread. */
    void start() {
        thread = Thread.ofPlatform().name("natgw-dataplane-housekeeping").daemon(true).start(this::run);
    }

    /** Stops the thread and waits for it. */
    void stop() {
        running = false;
        thread.interrupt();
        Engine.join(thread);
    }

    /** {@return per worker, the share of burst slots filled over the last second} */
    double[] burstFill() {
        return burstFill;
    }

    /** {@return per worker, the share of the last second spent on packets} */
    double[] busyShare() {
        return busyShare;
    }

    private void run() {
        Worker[] ws = workers;
        long[] lastBusy = new long[ws.length];
        long[] lastPackets = new long[ws.length];
        long[] lastBursts = new long[ws.length];
        long last = System.nanoTime();
        probeNeighbours(System.currentTimeMillis(), settings.neighbourTimeoutSeconds() * 1000L);
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            double[] fill = new double[ws.length];
            double[] busy = new double[ws.length];
            for (int w = 0; w < ws.length; w++) {
                long b = ws[w].busyNanos;
                long p = ws[w].packets;
                long bursts = ws[w].bursts;
                busy[w] = Math.min(1.0, Math.max(0.0, (b - lastBusy[w]) / (double) (now - last)));
                fill[w] = bursts == lastBursts[w]
                        ? 0.0
                        : Math.min(1.0, (p - lastPackets[w]) / (double) ((bursts - lastBursts[w]) * Worker.BURST));
                lastBusy[w] = b;
                lastPackets[w] = p;
                lastBursts[w] = bursts;
            }
            burstFill = fill;
            busyShare = busy;
            last = now;
            long ms = System.currentTimeMillis();
            long max = settings.neighbourTimeoutSeconds() * 1000L;
            ifs.neighbours[0].expire(ms, max, 3000);
            ifs.neighbours[1].expire(ms, max, 3000);
            probeNeighbours(ms, max);
            claims.refresh();
        }
    }

    /**
     * Keeps the next hops resolved without dropping traffic: asks for each configured gateway that is not
     * known yet, and again for every neighbour whose entry nears its timeout, at most once a second per
     * address. The requests go out through worker 0's control ring. Housekeeping thread only.
     */
    private void probeNeighbours(long nowMillis, long maxAgeMillis) {
        List<long[]> due = new ArrayList<>();
        for (int role = 0; role < 2; role++) {
            int r = role;
            int gw = ifs.gateway[role];
            if (gw != 0 && ifs.neighbours[role].lookup(gw) == 0) {
                due.add(new long[]{role, gw});
            }
            ifs.neighbours[role].forEach(nowMillis, (ip, mac, age, pinned) -> {
                if (mac != 0 && age > maxAgeMillis - Math.min(30_000, maxAgeMillis / 2)) {
                    due.add(new long[]{r, ip});
                }
            });
        }
        for (long[] d : due) {
            long key = d[0] << 32 | (d[1] & 0xffff_ffffL);
            Long last = lastProbe.get(key);
            if (last != null && nowMillis - last < 1000) {
                continue;
            }
            lastProbe.put(key, nowMillis);
            sendArpRequest((int) d[0], (int) d[1]);
        }
        lastProbe.values().removeIf(t -> nowMillis - t > 60_000);
    }

    private void sendArpRequest(int role, int ip) {
        Port p = ports[role];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ptr = arena.allocate(ValueLayout.JAVA_LONG, 1);
            int rc = (int) Dpdk.ALLOC_BULK.invokeExact(p.pool(), ptr, 1);
            if (rc != 0) {
                return;
            }
            long m = ptr.get(ValueLayout.JAVA_LONG, 0);
            Gateway.writeArpRequest(Dpdk.ALL, Mbuf.data(m), p.mac, ifs.address[role], ip);
            // the answer is taken only while this request is out
            ifs.neighbours[role].asking(ip, System.currentTimeMillis());
            Mbuf.setLength(m, 60);
            if (!workers[0].controlTx.offer(m, (byte) role)) {
                Dpdk.FREE_BULK.invokeExact(ptr, 1);
            }
        } catch (Throwable t) {
            LOG.debug("natgw dataplane: cannot send an ARP request", t);
        }
    }
}
