package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.nat.fastpath.NatWorker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 17's log volume: 1M UDP sessions from 10,000 subscribers (100 each) made and expired through the real
 * engine (one worker, {@link NatWorker#process} and {@link NatWorker#tick}), per session, in port blocks and
 * deterministically, counting the event records the engine emits and their size: the text/syslog lines as the
 * event log writes them, and IPFIX data records by the sizes of natgw's templates (RFC 8158 session record 26 bytes,
 * port-block record 29 bytes, each plus the pool name "bench" as a 6-byte variable-length field; message and set
 * headers not counted). Not a timing: run with
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar dev.natgw.benchmarks.LogVolume}.
 */
public final class LogVolume {
    static final int SUBSCRIBERS = 10_000;
    static final int SESSIONS = 1_000_000;
    static final int BLOCK = 128;
    static final int IPFIX_SESSION = 26 + 6;
    static final int IPFIX_BLOCK = 29 + 6;

    private LogVolume() {
    }

    public static void main(String[] args) {
        System.out.printf("%-13s %12s %14s %16s %14s%n", "allocation", "records", "text bytes", "IPFIX bytes",
                "lost");
        run("per-session", PortAllocation.PER_SESSION);
        run("port-blocks", PortAllocation.blocks(BLOCK, 4));
        run("deterministic", PortAllocation.deterministic(BLOCK, new Ipv4Range(OneWorkerNat.INSIDE_BASE,
                OneWorkerNat.INSIDE_BASE + (1 << 14) - 1)));
    }

    static void run(String name, PortAllocation allocation) {
        AtomicLong records = new AtomicLong();
        AtomicLong textBytes = new AtomicLong();
        AtomicLong blocks = new AtomicLong();
        UdpFrameWriter writer = new UdpFrameWriter();
        try (Arena arena = Arena.ofConfined();
                OneWorkerNat nat = new OneWorkerNat(SESSIONS + 1024, 1 << 16, allocation, true)) {
            nat.nat.setEventLines(l -> {
                records.incrementAndGet();
                textBytes.addAndGet(l.length() + 1);
                if (l.contains(" block-")) {
                    blocks.incrementAndGet();
                }
            });
            NatWorker w = nat.worker;
            MemorySegment mem = arena.allocate((long) NewSessionBenchmark.BURST * PacketBurst.MIN_ROOM, 64);
            PacketBurst b = new PacketBurst(NewSessionBenchmark.BURST, mem);
            long now = 1_000_000_000_000L;
            for (int k = 0; k < SESSIONS; k += NewSessionBenchmark.BURST) {
                b.reset(0, 0);
                for (int j = 0; j < NewSessionBenchmark.BURST; j++) {
                    int n = k + j;
                    long off = (long) j * PacketBurst.MIN_ROOM;
                    writer.write(mem, off, OneWorkerNat.INSIDE_BASE + n % SUBSCRIBERS, 1024 + n / SUBSCRIBERS,
                            OneWorkerNat.REMOTE_BASE + n % 4093, 443);
                    b.add(0, off, UdpFrameWriter.LENGTH, PortRole.CODE_INSIDE);
                }
                w.process(b, now);
                for (int j = 0; j < NewSessionBenchmark.BURST; j++) {
                    if (b.verdict(j) != Verdict.TX_OUTSIDE) {
                        w.tick(now);
                        throw new IllegalStateException(name + ": session " + (k + j) + " refused; drops "
                                + FastPathBenchmark.drops(w));
                    }
                }
                if (k % 4096 == 0) {
                    w.tick(now);
                    nat.nat.flushEvents();
                }
            }
            // every session expires (UDP 5 min); the worker expires a bounded number per tick
            now += 400_000_000_000L;
            while (w.sessions() > 0) {
                w.tick(now);
                nat.nat.flushEvents();
            }
            w.tick(now + 10_000_000_000L);
            nat.nat.flushEvents();
            long lost = w.counter(dev.natgw.nat.handover.CounterIndex.EVENTS_LOST);
            long perSession = records.get() - blocks.get();
            long ipfix = perSession * IPFIX_SESSION + blocks.get() * IPFIX_BLOCK;
            System.out.printf("%-13s %,12d %,14d %,16d %,14d%n", name, records.get(), textBytes.get(), ipfix, lost);
        }
    }
}
