package dev.natgw.itests.traffic;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * A test bundle that plays a one-worker dataplane for the NAT's packet stage, without DPDK: whenever the "nat"
 * stage is registered it attaches to it and runs bursts of frames through it on a thread of its own, as the real
 * dataplane's worker would (process, then tick), until the stage goes away or the bundle stops, and for ten minutes
 * at most. The traffic is fixed so that the figures it leaves are known: {@link #UDP_FLOWS} UDP flows and
 * {@link #TCP_FLOWS} TCP SYNs from inside hosts, sent again and again, plus {@link #FRAGMENTS} fragmented ICMP errors and
 * {@link #GRE} GRE packets once per attach, which the NAT drops. It also registers itself as the {@link Dataplane}
 * service, with the counters of what it really sent, so the console has a dataplane to show.
 */
public final class TrafficDriver implements BundleActivator {
    public static final int UDP_FLOWS = 200;
    public static final int TCP_FLOWS = 20;
    public static final int FRAGMENTS = 3;
    public static final int GRE = 2;
    private static final long MAX_RUN_NANOS = 600_000_000_000L;

    private ServiceTracker<PacketStage, Worker> tracker;
    private org.osgi.framework.ServiceRegistration<Dataplane> registration;

    /** What the workers sent and what the stage sent on, since the bundle started. */
    static final AtomicLong RX = new AtomicLong();
    static final AtomicLong TX = new AtomicLong();
    static final AtomicLong BURSTS = new AtomicLong();
    static volatile boolean attached;

    @Override
    public void start(BundleContext context) throws Exception {
        registration = context.registerService(Dataplane.class, new DriverDataplane(), null);
        tracker = new ServiceTracker<>(context, context.createFilter("(&(objectClass=" + PacketStage.class.getName()
                + ")(" + PacketStage.STAGE_NAME + "=nat))"), new ServiceTrackerCustomizer<>() {
                    @Override
                    public Worker addingService(ServiceReference<PacketStage> ref) {
                        PacketStage stage = context.getService(ref);
                        return stage == null ? null : new Worker(stage);
                    }

                    @Override
                    public void modifiedService(ServiceReference<PacketStage> ref, Worker w) {
                    }

                    @Override
                    public void removedService(ServiceReference<PacketStage> ref, Worker w) {
                        w.stop();
                        context.ungetService(ref);
                    }
                });
        tracker.open();
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
        tracker.close();
    }

    /** The driver as the Dataplane service: one worker, two ports, its real counts. */
    static final class DriverDataplane implements Dataplane {
        @Override
        public List<PortInfo> ports() {
            return PORTS;
        }

        @Override
        public PortStats portStats(String port) {
            boolean inside = port.equals("inside");
            if (!inside && !port.equals("outside")) {
                throw new IllegalArgumentException("no port " + port);
            }
            long rx = inside ? RX.get() : 0;
            long tx = inside ? 0 : TX.get();
            return new PortStats(port, rx, rx * 74, tx, tx * 74, 0, 0, 0, List.of());
        }

        @Override
        public List<WorkerInfo> workers() {
            return List.of(new WorkerInfo(0, -1, List.of("inside:0", "outside:0"), BURSTS.get(), RX.get(), 1.0,
                    0.01));
        }

        @Override
        public RssConfig rss() {
            return RssConfig.symmetricDefault(1);
        }

        @Override
        public List<String> stages() {
            return attached ? List.of("nat") : List.of();
        }

        @Override
        public CaptureResult capture(String port, int packets, Duration timeout, Path file) {
            throw new IllegalStateException("the test dataplane captures nothing");
        }
    }

    static final List<PortInfo> PORTS = List.of(
            new PortInfo("inside", PortRole.INSIDE, "itest0", "02:00:00:00:00:01", 1, 1, 1500, true),
            new PortInfo("outside", PortRole.OUTSIDE, "itest1", "02:00:00:00:00:02", 1, 1, 1500, true));

    /** The worker thread for one attached stage. */
    static final class Worker implements StageContext {
        private final PacketStage stage;
        private final Thread thread;
        private volatile boolean running = true;

        Worker(PacketStage stage) {
            this.stage = stage;
            this.thread = Thread.ofPlatform().name("itest-traffic").daemon().start(this::run);
        }

        void stop() {
            running = false;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            stage.attach(this);
            attached = true;
            try {
                List<byte[]> once = new ArrayList<>();
                int remote = Ipv4.parse("198.19.0.200");
                for (int i = 0; i < FRAGMENTS; i++) {
                    // an ICMP error in fragments is never translated (counted as "fragment"); TCP, UDP and ICMP echo
                    // fragments are
                    byte[] quoted = Frames.udp(remote, 53, Ipv4.parse("198.18.1.1"), 30000 + i).payload(new byte[8])
                            .build();
                    // 8 + 20 + 12 bytes: a first fragment's payload must be a multiple of 8
                    once.add(Frames.icmpError(Ipv4.parse("198.18.1.1"), remote, Frames.DEST_UNREACHABLE, 3, quoted)
                            .quote(12).identification(100 + i).fragment(true, 0).build());
                }
                for (int i = 0; i < GRE; i++) {
                    once.add(Frames.other(Ipv4.parse("198.18.1.2"), remote, Frames.GRE).payload(new byte[16])
                            .build());
                }
                List<byte[]> flows = new ArrayList<>();
                for (int i = 0; i < UDP_FLOWS; i++) {
                    flows.add(Frames.udp(Ipv4.parse("198.18.0." + (2 + i / 50)), 20000 + i % 50, remote, 5353)
                            .payload(new byte[32]).build());
                }
                for (int i = 0; i < TCP_FLOWS; i++) {
                    flows.add(Frames.tcp(Ipv4.parse("198.18.0.100"), 40000 + i, remote, 443).flags(Frames.SYN)
                            .build());
                }
                MemorySegment memory = MemorySegment.ofArray(new byte[PacketBurst.DEFAULT_BURST
                        * PacketBurst.MIN_ROOM]);
                PacketBurst burst = new PacketBurst(PacketBurst.DEFAULT_BURST, memory);
                send(burst, memory, once, 0, once.size());
                long end = System.nanoTime() + MAX_RUN_NANOS;
                int next = 0;
                while (running && System.nanoTime() < end) {
                    int n = Math.min(PacketBurst.DEFAULT_BURST, flows.size() - next);
                    send(burst, memory, flows, next, n);
                    next = (next + n) % flows.size();
                    stage.tick(0, System.nanoTime());
                    // about 16k packets/s: real traffic for the counters without taking a core of the test machine
                    LockSupport.parkNanos(2_000_000);
                }
            } finally {
                attached = false;
                try {
                    stage.detach();
                } catch (RuntimeException deactivated) {
                    // the stage's component is on its way out
                }
            }
        }

        private void send(PacketBurst burst, MemorySegment memory, List<byte[]> frames, int from, int n) {
            burst.reset(0, 0);
            for (int i = 0; i < n; i++) {
                byte[] f = frames.get(from + i);
                long off = (long) i * PacketBurst.MIN_ROOM;
                MemorySegment.copy(MemorySegment.ofArray(f), 0, memory, off, f.length);
                burst.add(0, off, f.length, PortRole.CODE_INSIDE);
            }
            stage.process(burst);
            RX.addAndGet(n);
            BURSTS.incrementAndGet();
            for (int i = 0; i < burst.size(); i++) {
                if (burst.verdict(i) == Verdict.TX_OUTSIDE) {
                    TX.incrementAndGet();
                }
            }
            stage.tick(0, System.nanoTime());
        }

        @Override
        public int workerCount() {
            return 1;
        }

        @Override
        public RssConfig rss() {
            return RssConfig.symmetricDefault(1);
        }

        @Override
        public List<PortInfo> ports() {
            return PORTS;
        }

        @Override
        public int workerForQueue(int rxQueue) {
            if (rxQueue != 0) {
                throw new IndexOutOfBoundsException("one queue, asked for " + rxQueue);
            }
            return 0;
        }
    }
}
