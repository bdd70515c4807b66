package dev.natgw.nat.fastpath;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The fast path allocates nothing: parse and every rewriter, measured by the thread's allocation counter. */
class PacketAllocationTest {

    private static final int ROUNDS = 10_000;

    @Test
    void parseAndRewritesAllocateNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        int in = ip("10.0.0.5");
        int pool = ip("198.18.0.2");
        int remote = ip("203.0.113.9");
        MemorySegment[] frames = {Frames.tcp(in, 40000, remote, 443).payload(new byte[100]).segment(),
                Frames.udp(in, 5353, remote, 53).payload(new byte[31]).vlan(3).segment(),
                Frames.echoRequest(in, remote, 77, 1).payload(new byte[56]).segment(),
                Frames.icmpError(remote, pool, 3, 3, Frames.udp(pool, 1024, remote, 53).build()).quote(100).segment(),
                Frames.icmpError(remote, pool, 11, 0, Frames.tcp(pool, 1024, remote, 80).build()).quote(20).segment(),
                Frames.other(in, remote, Frames.GRE).payload(new byte[20]).segment()};
        Packet p = new Packet();
        long sink = run(p, frames, ROUNDS * 3, in, pool);

        long before = threads.getCurrentThreadAllocatedBytes();
        long baseline = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        sink += run(p, frames, ROUNDS, in, pool);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before - baseline;

        assertThat(sink).isNotZero();
        assertThat(allocated).as("bytes allocated by %d parse+rewrite rounds", ROUNDS).isZero();
    }

    private static long run(Packet p, MemorySegment[] frames, int rounds, int in, int pool) {
        long sink = 0;
        for (int i = 0; i < rounds; i++) {
            MemorySegment m = frames[i % frames.length];
            int result = p.parse(m, 0, (int) m.byteSize());
            sink += result;
            // translate out and back so every frame returns to its original bytes
            if (p.icmpError) {
                int oldSrc = p.innerSrc;
                int oldPort = p.innerSrcPort;
                p.rewriteInnerSource(m, in, 4000);
                p.rewriteInnerSource(m, oldSrc, oldPort);
            } else {
                int oldSrc = p.src;
                int oldPort = p.srcPort;
                p.rewriteSource(m, pool, 1024 + (i & 1023));
                p.rewriteSource(m, oldSrc, oldPort);
            }
            sink += p.dstPort + (Checksum.l4Valid(m, p) ? 1 : 0);
        }
        return sink;
    }
}
