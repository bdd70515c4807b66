package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.nat.export.EventExporter;
import dev.natgw.nat.export.ExportSettings;
import dev.natgw.api.nat.EventExportStats;
import dev.natgw.nat.fastpath.EventRing;
import dev.natgw.nat.fastpath.NatWorker;
import dev.natgw.nat.handover.CounterIndex;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * NAT event export, two figures in one run.
 *
 * <ul>
 * <li>{@link #exportToCollector}: events per second an {@link EventExporter} delivers to an IPFIX collector over UDP
 * on loopback without loss. Each invocation offers {@value #BATCH} events and waits until a receiving thread (the
 * collector: it counts the records of each message) has them all; a batch not complete within 2 s counts as lost
 * and is reported as {@code lost=} at the end of the trial, which must stay 0 for the score to mean "without loss".</li>
 * <li>{@link #newSessions} with {@code export=off} and {@code export=ipfix}: new UDP sessions per second on one
 * worker (each one records a mapping-created event), with the event thread draining the ring into nothing, or into
 * an exporter sending to the loopback collector. The worker's cost per event is the difference of 1/score; the
 * worker only ever writes its ring, so any difference is the draining and sending threads competing for the
 * machine's cores.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g",
        "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EventExportBenchmark {
    static final int BATCH = 4096;
    static final int BURST = 32;

    @Param({"off", "ipfix"})
    public String export;

    private Collector collector;
    private EventExporter exporter;
    private long next;

    private UdpFrameWriter writer;
    private Arena arena;
    private MemorySegment burstMemory;
    private PacketBurst burst;
    private OneWorkerNat nat;
    private NatWorker worker;
    private int flow;
    private long now = 1_000_000_000_000L;

    /** Records the exporter did not get to the collector in this trial (queue full, socket full, not received). */
    private long lost;
    /** Events the worker could not put in its ring in this trial (the event thread drains every 100 ms). */
    private long ringLost;

    @Setup(Level.Trial)
    @SuppressWarnings("MustBeClosedChecker") // closed in the trial's tear-down
    public void setUpTrial() throws IOException {
        collector = new Collector();
        if (export.equals("ipfix")) {
            exporter = new EventExporter(new ExportSettings(List.of(collector.address()), false, 1, 60, 1400,
                    List.of(), 16, "bench", 1 << 20), System::currentTimeMillis);
        }
        writer = new UdpFrameWriter();
        arena = Arena.ofShared();
        burstMemory = arena.allocate((long) BURST * PacketBurst.MIN_ROOM, 64);
        burst = new PacketBurst(BURST, burstMemory);
    }

    @Setup(Level.Iteration)
    public void setUpIteration(BenchmarkParams params) {
        if (params.getBenchmark().endsWith(".newSessions")) {
            nat = new OneWorkerNat(1 << 20, 1 << 20); // room for 100 ms of events at 10M/s
            worker = nat.worker;
            flow = 0;
            if (exporter != null) {
                nat.nat.addEventSink(exporter);
            }
        }
    }

    @TearDown(Level.Iteration)
    public void tearDownIteration() {
        if (nat != null) {
            ringLost += worker.counter(CounterIndex.EVENTS_LOST);
            nat.close();
            nat = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() throws IOException {
        // JMH prints this with the trial's output; the results file quotes it
        System.out.println("export=" + export + " lost=" + lost + " ringLost=" + ringLost
                + (exporter == null ? "" : " " + exporter.stats()));
        if (exporter != null) {
            exporter.close();
        }
        collector.close();
        arena.close();
    }

    /** {@value #BATCH} events through the exporter to the collector; the score is events per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void exportToCollector() {
        if (exporter == null) {
            return; // this figure needs export on
        }
        long target = collector.records.get() + BATCH;
        for (int i = 0; i < BATCH; i++, next++) {
            exporter.event(EventRing.CREATED, 17, 0, "bench", OneWorkerNat.INSIDE_BASE + (int) (next & 0xffff),
                    1024 + (int) (next >>> 16 & 0xffff), 0xC6130100 + (int) (next & 0xff), 1025 + (int) (next & 0x7fff),
                    1_800_000_000_000L + next);
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (collector.records.get() < target) {
            if (System.nanoTime() > deadline) {
                EventExportStats s = exporter.stats();
                lost += target - collector.records.get();
                collector.records.set(target); // count each loss once
                if (s.queued() > 0) {
                    throw new IllegalStateException("the exporter stalled: " + s);
                }
                return;
            }
            Thread.onSpinWait();
        }
    }

    /** 32 new sessions, each recording one event; the score is sessions per second. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void newSessions() {
        flow = NewSessionBenchmark.fresh(writer, burst, burstMemory, flow);
        now += 1_000;
        worker.process(burst, now);
    }

    /** A loopback IPFIX collector that counts the data records it receives (26 + 1 + 5 bytes each here). */
    static final class Collector implements AutoCloseable {
        final AtomicLong records = new AtomicLong();
        private final DatagramChannel channel;
        private final Thread thread;

        Collector() throws IOException {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = Thread.ofPlatform().name("bench-collector").daemon().start(this::run);
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) channel.getLocalAddress();
        }

        private void run() {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            try {
                while (true) {
                    b.clear();
                    channel.receive(b);
                    b.flip();
                    int end = b.getShort(2) & 0xffff;
                    long n = 0;
                    for (int at = 16; at + 4 <= end;) {
                        int id = b.getShort(at) & 0xffff;
                        int len = b.getShort(at + 2) & 0xffff;
                        if (id == 256) {
                            n += (len - 4) / 32; // template 256 records with the 5-byte pool name "bench"
                        }
                        at += Math.max(len, 4);
                    }
                    records.addAndGet(n);
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
