package dev.natgw.dataplane.dpdk;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A capture in progress on one port: the workers copy frames into their own bounded ring without
 * blocking (and skip frames when it is full), and the thread that asked for the capture drains the
 * rings into a pcap file (classic libpcap format, Ethernet link type), which Wireshark and tcpdump
 * read.
 */
final class Capture {
    static final int SNAP = 2048;
    private static final int SLOTS = 256;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int limit;
    private final AtomicInteger claimed = new AtomicInteger();
    final AtomicLong skipped = new AtomicLong();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] frames;
    private final int[][] lengths;
    private final long[][] times;
    /** Per worker: [0] producer position, [1] consumer position. */
    private final long[][] positions;
    private final long wallMinusNano;

    Capture(int workers, int limit) {
        this.limit = limit;
        this.frames = new MemorySegment[workers];
        this.lengths = new int[workers][SLOTS];
        this.times = new long[workers][SLOTS];
        this.positions = new long[workers][2];
        for (int w = 0; w < workers; w++) {
            frames[w] = arena.allocate((long) SLOTS * SNAP, 64);
        }
        this.wallMinusNano = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    }

    /** Worker: copies a frame if the capture still wants frames and the worker's ring has room. */
    void offer(int worker, MemorySegment m, long offset, int length, long nanoTime) {
        if (claimed.get() >= limit) {
            return;
        }
        long[] pos = positions[worker];
        long p = pos[0];
        if (p - (long) LONGS.getAcquire(pos, 1) >= SLOTS) {
            skipped.incrementAndGet();
            return;
        }
        if (claimed.getAndIncrement() >= limit) {
            return;
        }
        int slot = (int) (p % SLOTS);
        int len = Math.min(length, SNAP);
        MemorySegment.copy(m, offset, frames[worker], (long) slot * SNAP, len);
        lengths[worker][slot] = length;
        times[worker][slot] = nanoTime;
        LONGS.setRelease(pos, 0, p + 1);
    }

    boolean complete() {
        return claimed.get() >= limit;
    }

    /** The capturing thread: writes what the workers copied so far; returns frames written. */
    int drain(FileChannel out, long[] bytes) throws IOException {
        int written = 0;
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < frames.length; w++) {
            long[] pos = positions[w];
            long head = pos[1];
            long tail = (long) LONGS.getAcquire(pos, 0);
            for (; head < tail; head++) {
                int slot = (int) (head % SLOTS);
                int orig = lengths[w][slot];
                int incl = Math.min(orig, SNAP);
                long wallNanos = times[w][slot] + wallMinusNano;
                header.clear();
                header.putInt((int) (wallNanos / 1_000_000_000L)).putInt((int) (wallNanos / 1000 % 1_000_000))
                        .putInt(incl).putInt(orig).flip();
                write(out, header);
                write(out, frames[w].asSlice((long) slot * SNAP, incl).asByteBuffer());
                bytes[0] += incl;
                written++;
            }
            LONGS.setRelease(pos, 1, head);
        }
        return written;
    }

    static FileChannel open(Path file) throws IOException {
        FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1)
                .flip();
        write(out, h);
        return out;
    }

    private static void write(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Frees the rings; after the workers can no longer see this capture. */
    void close() {
        arena.close();
    }
}
