package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.WorkerInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPDK dataplane without OSGi: EAL, the two ports and the workers, with a {@link StagePipeline} for the
 * stages they run and a {@link Housekeeper} for the periodic control-thread work while they run. The OSGi
 * component wraps one; tests and benchmarks use it directly. Starting, stopping and every change to the stages
 * run under one lock; the workers read only what is published through volatile fields.
 */
public final class Engine implements Dataplane {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final VarHandle TAPS = MethodHandles.arrayElementVarHandle(Capture[].class);
    /** The name {@link #stages()} gives the built-in ARP, ICMP, TTL and MTU handling, which runs first. */
    public static final String GATEWAY_STAGE = "gateway";

    private final DataplaneSettings settings;
    private final Interfaces ifs;
    private final RssConfig rss;
    private final Object lock = new Object();
    private Port[] ports;
    private Worker[] workers;
    private Thread[] threads;
    private volatile Housekeeper housekeeper;
    private volatile boolean running;
    /** The addresses the attached stages claim, answered for by proxy ARP. */
    private final AddressClaims claims;
    /** The stages the workers run after the gateway. */
    final StagePipeline pipeline;
    /** Captures in progress, by port role; read by the workers once per burst. */
    final Capture[] taps = new Capture[2];
    /** Ports a previous engine handed over, for {@link #start} to adopt or close; consumed by it. */
    private List<PortDeposit.StartedPort> handedOver = List.of();
    /** Ports this engine adopted instead of opening, 0 to 2. */
    private volatile int adopted;

    /**
     * @param settings the checked configuration
     */
    public Engine(DataplaneSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ifs = new Interfaces(settings.insideAddress(), settings.insidePrefix(), settings.insideGateway(),
                settings.insideMtu(), settings.outsideAddress(), settings.outsidePrefix(), settings.outsideGateway(),
                settings.outsideMtu(), settings.neighbours());
        if (settings.insideGatewayMac() != 0) {
            ifs.neighbours[0].pin(settings.insideGateway(), settings.insideGatewayMac());
        }
        if (settings.outsideGatewayMac() != 0) {
            ifs.neighbours[1].pin(settings.outsideGateway(), settings.outsideGatewayMac());
        }
        this.rss = RssConfig.symmetricDefault(settings.cpus().length);
        this.claims = new AddressClaims(ifs);
        this.pipeline = new StagePipeline(lock, settings.stageHandoverMillis(), claims);
    }

    /**
     * Brings EAL up if needed, opens the ports and starts the workers.
     *
     * @throws IllegalArgumentException naming the setting when a device is refused
     * @throws IllegalStateException when DPDK fails
     */
    public void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            LOG.info("natgw dataplane: EAL {}", Eal.ensure(settings.ealArgs()));
            int n = settings.cpus().length;
            List<PortDeposit.StartedPort> offered = handedOver;
            handedOver = List.of();
            PortDeposit.StartedPort inOffer = offered(offered, PortRole.INSIDE, settings.insideDevice(), n,
                    settings.insideMtu());
            PortDeposit.StartedPort outOffer = offered(offered, PortRole.OUTSIDE, settings.outsideDevice(), n,
                    settings.outsideMtu());
            Port in = inOffer != null
                    ? Port.adopt(inOffer)
                    : Port.open("inside", PortRole.INSIDE, settings.insideDevice(), n, settings.insideMtu(),
                            settings.mbufs(), rss);
            Port out;
            try {
                out = outOffer != null
                        ? Port.adopt(outOffer)
                        : Port.open("outside", PortRole.OUTSIDE, settings.outsideDevice(), n, settings.outsideMtu(),
                                settings.mbufs(), rss);
            } catch (RuntimeException e) {
                in.close();
                throw e;
            }
            adopted = (inOffer != null ? 1 : 0) + (outOffer != null ? 1 : 0);
            for (PortDeposit.StartedPort offer : new PortDeposit.StartedPort[]{inOffer, outOffer}) {
                if (offer != null) {
                    long[] known = offer.neighbours();
                    int role = offer.role().code();
                    for (int i = 0; i + 1 < known.length; i += 2) {
                        ifs.neighbours[role].learn((int) known[i], known[i + 1], System.currentTimeMillis());
                    }
                }
            }
            ports = new Port[]{in, out};
            ifs.mac[0] = in.mac;
            ifs.mac[1] = out.mac;
            workers = new Worker[n];
            for (int w = 0; w < n; w++) {
                workers[w] = new Worker(w, settings.cpus()[w], this, ifs, in.id, out.id, n,
                        settings.idleSleepMicros() * 1000L);
            }
            for (int from = 0; from < n; from++) {
                for (int to = 0; to < n; to++) {
                    if (from != to) {
                        HandoffRing ring = new HandoffRing(1024);
                        workers[from].outbound[to] = ring;
                        workers[to].inbound[from] = ring;
                    }
                }
            }
            pipeline.attachAll(n, rss, ports());
            running = true;
            threads = new Thread[n];
            for (int w = 0; w < n; w++) {
                threads[w] = Thread.ofPlatform().name("natgw-worker-" + w).daemon(true).start(workers[w]);
            }
            pipeline.running(workers, threads);
            housekeeper = new Housekeeper(settings, ifs, workers, ports, claims);
            housekeeper.start();
            LOG.info("natgw dataplane: started, ports {} ({}) and {} ({}), {} worker(s) on CPUs {}; {} of 2 ports"
                    + " taken over running", in.deviceText(), in.macText(), out.deviceText(), out.macText(), n,
                    Arrays.toString(settings.cpus()), adopted);
            for (Port p : ports) {
                if (p.fallback() != null) {
                    LOG.warn("natgw dataplane: {}", p.fallback());
                }
            }
        }
    }

    /**
     * Gives this engine ports a previous one {@linkplain #handOver handed over}; before {@link #start}, which
     * adopts each one that fits the configuration and closes the others.
     *
     * @param ports the descriptions
     */
    public void offer(List<PortDeposit.StartedPort> ports) {
        synchronized (lock) {
            handedOver = List.copyOf(ports);
        }
    }

    /** Picks the offered port for a role, or closes it and returns null when it does not fit. */
    private PortDeposit.StartedPort offered(List<PortDeposit.StartedPort> offered, PortRole role, String device,
            int queues, int mtu) {
        for (PortDeposit.StartedPort d : offered) {
            if (role == d.role()) {
                String why = Port.mismatch(d, role, device, queues, mtu, settings.mbufs(), rss);
                if (why == null) {
                    return d;
                }
                LOG.info("natgw dataplane: the {} port handed over ({}) does not fit the configuration ({});"
                        + " closing it and opening a new one", role, d.device(), why);
                Port.adopt(d).close();
            }
        }
        return null;
    }

    /** {@return the ports this engine took over running from the previous one, 0 to 2} */
    public int adoptedPorts() {
        return adopted;
    }

    /**
     * Stops the workers and detaches the stages like {@link #stop()}, but leaves the ports started, so
     * that the next engine (in this revision of the bundle or the next) takes them over without closing
     * and reopening them; what the devices receive meanwhile waits in their queues.
     *
     * @return the ports' descriptions, with the neighbours learnt; empty if not running
     */
    public List<PortDeposit.StartedPort> handOver() {
        return stop(true);
    }

    /** Stops the workers, detaches the stages, and stops, closes and frees the ports. EAL stays up. */
    public void stop() {
        stop(false);
    }

    private List<PortDeposit.StartedPort> stop(boolean keepPorts) {
        synchronized (lock) {
            if (!running) {
                return List.of();
            }
            running = false;
            for (Worker w : workers) {
                w.running = false;
            }
            for (Thread t : threads) {
                join(t);
            }
            housekeeper.stop();
            pipeline.detachAll();
            for (Worker w : workers) {
                for (HandoffRing ring : w.inbound) {
                    drain(ring);
                }
            }
            List<PortDeposit.StartedPort> kept = new ArrayList<>();
            for (Port p : ports) {
                if (keepPorts) {
                    List<Long> known = new ArrayList<>();
                    ifs.neighbours[p.roleCode].forEach(System.currentTimeMillis(), (ip, mac, age, pinned) -> {
                        if (mac != 0 && !pinned) {
                            known.add((long) ip);
                            known.add(mac);
                        }
                    });
                    kept.add(p.handOver(known.stream().mapToLong(Long::longValue).toArray()));
                } else {
                    p.close();
                }
            }
            for (Worker w : workers) {
                w.close();
            }
            LOG.info("natgw dataplane: stopped; {}, EAL left up", keepPorts
                    ? "ports left running to hand over"
                    : "ports closed");
            return kept;
        }
    }

    private static void drain(HandoffRing ring) {
        if (ring == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ptrs = arena.allocate(ValueLayout.JAVA_LONG, 1);
            for (int n; (n = ring.available()) > 0;) {
                for (int k = 0; k < n; k++) {
                    ptrs.set(ValueLayout.JAVA_LONG, 0, ring.mbufAt(k));
                    Dpdk.FREE_BULK.invokeExact(ptrs, 1);
                }
                ring.advance(n);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.error("natgw dataplane: thread {} did not stop within 10 s", t.getName());
        }
    }

    /** {@return whether the workers run} */
    public boolean running() {
        return running;
    }

    /**
     * Sets a stage that runs before the gateway on received packets, for benchmarks that must give
     * net_null's empty frames content first. Before {@link #start()} only.
     */
    public void setPreGatewayStage(PacketStage stage) {
        this.preGateway = stage;
    }

    PacketStage preGateway;

    /**
     * Adds a stage: attaches it (when running) and publishes the new array. A stage whose name is taken
     * is not added, unless the stage of that name was withdrawn and still runs while it waits for its
     * successor: then the new stage succeeds it (see {@link #removeStage(PacketStage)}).
     *
     * @param stage the stage
     * @param name its unique name
     * @param order its place in the run order
     * @param serviceId its service id, which orders stages of equal order
     * @return false, with the reason logged, if it was not added
     */
    public boolean addStage(PacketStage stage, String name, int order, long serviceId) {
        return pipeline.add(stage, name, order, serviceId);
    }

    /**
     * Withdraws a stage. While the workers run and {@link DataplaneSettings#stageHandoverMillis()} is
     * positive, the stage keeps running until a stage of the same name is added (which then succeeds it
     * in one publication) or until that time passes; then, or at once with a hand-over time of 0, the array
     * is published without it, every worker passes a burst boundary, and the stage is detached.
     *
     * @param stage the stage
     */
    public void removeStage(PacketStage stage) {
        pipeline.remove(stage);
    }

    /** {@return the names of withdrawn stages still running while they wait for a successor} */
    public List<String> handingOver() {
        return pipeline.handingOver();
    }

    void workerFailed(Worker w, Throwable t) {
        LOG.error("natgw dataplane: worker {} stopped on an error", w.id, t);
    }

    // ---- Dataplane ----

    @Override
    public List<PortInfo> ports() {
        Port[] ps = ports;
        if (ps == null) {
            return List.of();
        }
        List<PortInfo> out = new ArrayList<>();
        for (Port p : ps) {
            out.add(new PortInfo(p.name, p.role, p.deviceText(), p.macText(), p.queues, p.queues, p.mtu,
                    running && p.linkUp()));
        }
        return out;
    }

    @Override
    public PortStats portStats(String port) {
        Port p = port(port);
        Worker[] ws = workers;
        long[][] perQueue = new long[ws.length][];
        for (int w = 0; w < ws.length; w++) {
            perQueue[w] = ws[w].queue[p.roleCode].clone();
        }
        return p.stats(perQueue);
    }

    private Port port(String name) {
        Port[] ps = ports;
        if (ps != null) {
            for (Port p : ps) {
                if (p.name.equals(name)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("no such port: " + name + " (ports are inside and outside)");
    }

    @Override
    public List<WorkerInfo> workers() {
        Worker[] ws = workers;
        if (ws == null) {
            return List.of();
        }
        Housekeeper h = housekeeper;
        double[] fill = h == null ? new double[0] : h.burstFill();
        double[] busy = h == null ? new double[0] : h.busyShare();
        List<WorkerInfo> out = new ArrayList<>();
        for (int w = 0; w < ws.length; w++) {
            out.add(new WorkerInfo(w, ws[w].cpu, List.of("inside:" + w, "outside:" + w), ws[w].bursts,
                    ws[w].packets, w < fill.length ? fill[w] : 0, w < busy.length ? busy[w] : 0));
        }
        return out;
    }

    @Override
    public RssConfig rss() {
        return rss;
    }

    @Override
    public List<String> stages() {
        return pipeline.names();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> sums = new LinkedHashMap<>();
        Worker[] ws = workers;
        for (int c = 0; c < Counters.COUNT; c++) {
            long sum = 0;
            if (ws != null) {
                for (Worker w : ws) {
                    sum += w.counters[c];
                }
            }
            sums.put(Counters.NAMES.get(c), sum);
        }
        sums.put("ports-taken-over", (long) adopted);
        return sums;
    }

    /**
     * {@return the neighbour table of a port: address, MAC, age in ms, "pinned" or "learnt"} For commands and
     * tests.
     */
    public List<String[]> neighbours(String port) {
        Port p = port(port);
        List<String[]> rows = new ArrayList<>();
        ifs.neighbours[p.roleCode].forEach(System.currentTimeMillis(),
                (ip, mac, age, pinned) -> rows.add(new String[]{ipText(ip), mac == 0 ? "(incomplete)" : macText(mac),
                        String.valueOf(age), pinned ? "pinned" : "learnt"}));
        return rows;
    }

    /**
     * Stores a neighbour as if an ARP packet had announced it, for tests and benchmarks.
     *
     * @param role the port role code
     * @param ip its address
     * @param mac its MAC address, 48 bits
     */
    public void learnNeighbour(int role, int ip, long mac) {
        ifs.neighbours[role].learn(ip, mac, System.currentTimeMillis());
    }

    /** {@return per worker, packets received so far} For benchmarks. */
    public long[] workerPackets() {
        Worker[] ws = workers;
        long[] out = new long[ws.length];
        for (int w = 0; w < ws.length; w++) {
            out[w] = ws[w].packets;
        }
        return out;
    }

    static String ipText(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xff) + "." + (ip >>> 8 & 0xff) + "." + (ip & 0xff);
    }

    static String macText(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format("%02x", (mac >>> (8 * i)) & 0xff));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** {@return the port of a role, for tests and benchmarks} */
    public Port port(PortRole role) {
        return ports[role.code()];
    }

    @Override
    public CaptureResult capture(String port, int packets, Duration timeout, Path file) throws IOException {
        Port p = port(port);
        if (packets < 1) {
            throw new IllegalArgumentException("packets must be at least 1, was " + packets);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        Objects.requireNonNull(file, "file");
        Capture c = new Capture(workers.length, packets);
        synchronized (taps) {
            if (taps[p.roleCode] != null) {
                c.close();
                throw new IllegalStateException("a capture on " + port + " is already running");
            }
            setTap(p.roleCode, c);
        }
        int written = 0;
        long[] bytes = new long[1];
        try (FileChannel out = Capture.open(file)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (written < packets && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                written += c.drain(out, bytes);
                if (written < packets) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            synchronized (taps) {
                setTap(p.roleCode, null);
            }
            if (running) {
                StagePipeline.awaitQuiescence(workers, threads);
            }
            written += c.drain(out, bytes);
        } finally {
            synchronized (taps) {
                if (taps[p.roleCode] == c) {
                    setTap(p.roleCode, null);
                }
            }
            if (running) {
                StagePipeline.awaitQuiescence(workers, threads);
            }
            c.close();
        }
        return new CaptureResult(port, file, written, bytes[0]);
    }

    private void setTap(int role, Capture c) {
        TAPS.setRelease(taps, role, c);
    }

    /** The capture on a port role, if any; read by the workers once per burst. */
    Capture tap(int role) {
        return (Capture) TAPS.getAcquire(taps, role);
    }
}
