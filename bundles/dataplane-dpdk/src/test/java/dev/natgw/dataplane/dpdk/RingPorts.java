package dev.natgw.dataplane.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The test's side of {@code ring:NAME} ports: puts frames into a port's receive ring and takes what it
 * sent out of its transmit ring, as real mbufs of the port's own pool.
 */
final class RingPorts implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ptrs = arena.allocate(ValueLayout.ADDRESS, 64);

    private MemorySegment ring(String name) throws Throwable {
        MemorySegment r = (MemorySegment) Dpdk.RING_LOOKUP.invokeExact(arena.allocateFrom(name));
        if (r.address() == 0) {
            throw new IllegalStateException("no ring " + name);
        }
        return r;
    }

    /** Puts frames into ring NAME_rx as mbufs of pool; returns how many the ring took. */
    int inject(Port port, String name, List<byte[]> frames) throws Throwable {
        MemorySegment rx = ring(name + "_rx");
        int done = 0;
        while (done < frames.size()) {
            int n = Math.min(32, frames.size() - done);
            int rc = (int) Dpdk.ALLOC_BULK.invokeExact(port.pool(), ptrs, n);
            if (rc != 0) {
                throw new IllegalStateException("no mbufs: " + rc);
            }
            for (int k = 0; k < n; k++) {
                long m = ptrs.getAtIndex(ValueLayout.JAVA_LONG, k);
                byte[] f = frames.get(done + k);
                MemorySegment.copy(f, 0, Dpdk.ALL, ValueLayout.JAVA_BYTE, Mbuf.data(m), f.length);
                Mbuf.setLength(m, f.length);
            }
            int took = (int) Dpdk.RING_ENQUEUE.invokeExact(rx, ptrs, n);
            if (took < n) {
                MemorySegment rest = ptrs.asSlice(8L * took);
                Dpdk.FREE_BULK.invokeExact(rest, n - took);
                return done + took;
            }
            done += n;
        }
        return done;
    }

    int inject(Port port, String name, byte[] frame) throws Throwable {
        return inject(port, name, List.of(frame));
    }

    /** Takes frames from ring NAME_tx until count arrived or the timeout passed. */
    List<byte[]> collect(String name, int count, Duration timeout) throws Throwable {
        MemorySegment tx = ring(name + "_tx");
        List<byte[]> out = new ArrayList<>();
        try {
            Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> drain(tx, out, count) >= count);
        } catch (ConditionTimeoutException e) {
            // fewer than count arrived: the caller asserts on what did
        }
        return out;
    }

    /** Moves what the ring holds, up to count frames in all, into out; returns how many out has. */
    private int drain(MemorySegment tx, List<byte[]> out, int count) {
        try {
            return drainOrThrow(tx, out, count);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot drain the ring: " + t, t);
        }
    }

    private int drainOrThrow(MemorySegment tx, List<byte[]> out, int count) throws Throwable {
        while (out.size() < count) {
            int n = (int) Dpdk.RING_DEQUEUE.invokeExact(tx, ptrs, Math.min(64, count - out.size()));
            if (n == 0) {
                break;
            }
            for (int k = 0; k < n; k++) {
                long m = ptrs.getAtIndex(ValueLayout.JAVA_LONG, k);
                byte[] f = new byte[Mbuf.dataLen(m)];
                MemorySegment.copy(Dpdk.ALL, ValueLayout.JAVA_BYTE, Mbuf.data(m), f, 0, f.length);
                out.add(f);
            }
            Dpdk.FREE_BULK.invokeExact(ptrs, n);
        }
        return out.size();
    }

    /** Stops what a ring-port test class started; any of them may be null. */
    static void stopAll(Engine engine, dev.natgw.nat.NatManager nat, RingPorts rings) {
        if (engine != null) {
            engine.stop();
        }
        if (nat != null) {
            nat.close();
        }
        if (rings != null) {
            rings.close();
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
