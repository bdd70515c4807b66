package dev.natgw.api.dataplane;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One received burst of packets as it passes through the {@link PacketStage}s: where each frame
 * lies in memory, how long it is, which port it came in on, and the verdict the stages give it. A
 * final class rather than an interface so the JIT inlines every accessor into the stages' loops.
 *
 * <p>
 * <b>Memory.</b> All frames of a burst lie in one {@link #memory()} segment; slot {@code i}'s
 * Ethernet header starts at byte {@link #dataOffset(int) dataOffset(i)} of it and the frame is
 * {@link #length(int) length(i)} contiguous bytes. The DPDK dataplane gives a segment over its mbuf
 * pool (or over the whole address space, with absolute addresses as offsets); tests give a heap
 * segment such as {@code MemorySegment.ofArray(new byte[4096])}. Stages rewrite frames in place.
 * Every buffer the dataplane hands out has room for at least {@link #MIN_ROOM} bytes from the data
 * offset, so a stage may lengthen a frame up to that.
 *
 * <p>
 * <b>Threading.</b> A burst is owned by exactly one worker and is not thread-safe. The worker fills
 * it, passes it to each stage's {@link PacketStage#process(PacketBurst)} in turn, then transmits or
 * frees each slot by its verdict and reuses the object for the next burst. A stage must not keep a
 * reference to the burst, its segment or its slots after {@code process} returns; to keep a packet,
 * it sets {@link Verdict#STOLEN} and records the {@link #handle(int) handle}, data offset, length and ports. To give
 * it back, the stage appends it with {@link #add(long, long, int, byte, int)} to a later burst of the same worker
 * that has room ({@code size() < capacity()}; the DPDK dataplane's bursts have room for twice what it receives) and
 * sets its verdict; the dataplane then sends or frees it as any other slot. The stages after it see it too.
 *
 * <p>
 * <b>Fast path.</b> This is a fast-path type: no method allocates after construction (except
 * {@link #toString()}), none blocks or locks, and a worker may call all of them. Slot accessors
 * throw {@link IndexOutOfBoundsException} for {@code i} outside {@code 0..size()-1}.
 */
public final class PacketBurst {
    /** The usual number of slots of a burst, as in DPDK's examples. */
    public static final int DEFAULT_BURST = 32;
    /** Bytes, from the data offset, that every packet buffer the dataplane hands out can hold. */
    public static final int MIN_ROOM = 2048;

    private final long[] handles;
    private final long[] dataOffsets;
    private final int[] lengths;
    private final byte[] inPorts;
    private final byte[] verdicts;
    private final int[] handoffTargets;
    private final int[] handedOffFrom;
    private MemorySegment memory;
    private int size;
    private int workerId;
    private int rxQueue;

    /**
     * Creates an empty burst, the only allocation it ever makes.
     *
     * @param capacity the number of slots, at least 1
     * @param memory the segment all frames lie in
     * @throws IllegalArgumentException if capacity is less than 1
     * @throws NullPointerException if memory is null
     */
    public PacketBurst(int capacity, MemorySegment memory) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.memory = Objects.requireNonNull(memory, "memory");
        this.handles = new long[capacity];
        this.dataOffsets = new long[capacity];
        this.lengths = new int[capacity];
        this.inPorts = new byte[capacity];
        this.verdicts = new byte[capacity];
        this.handoffTargets = new int[capacity];
        this.handedOffFrom = new int[capacity];
    }

    /** {@return the segment that holds every frame of this burst} */
    public MemorySegment memory() {
        return memory;
    }

    /**
     * Replaces the segment the frames lie in, for a dataplane that remaps its buffers. Only between
     * bursts.
     *
     * @param memory the new segment
     * @throws IllegalStateException if the burst is not empty
     * @throws NullPointerException if memory is null
     */
    public void setMemory(MemorySegment memory) {
        Objects.requireNonNull(memory, "memory");
        if (size != 0) {
            throw new IllegalStateException("memory can only change while the burst is empty, size is " + size);
        }
        this.memory = memory;
    }

    /** {@return the number of slots filled, 0..capacity()} */
    public int size() {
        return size;
    }

    /** {@return the number of slots, fixed at construction} */
    public int capacity() {
        return handles.length;
    }

    /** {@return the id of the worker that owns this burst, 0..workerCount-1} */
    public int workerId() {
        return workerId;
    }

    /** {@return the receive queue the burst was read from} */
    public int rxQueue() {
        return rxQueue;
    }

    /**
     * Returns the dataplane's opaque handle of slot {@code i}'s packet, such as its mbuf address; 0 in
     * tests.
     *
     * @param i the slot
     * @return the handle
     */
    public long handle(int i) {
        return handles[Objects.checkIndex(i, size)];
    }

    /**
     * Returns the byte offset, in {@link #memory()}, of slot {@code i}'s Ethernet header.
     *
     * @param i the slot
     * @return the offset in bytes
     */
    public long dataOffset(int i) {
        return dataOffsets[Objects.checkIndex(i, size)];
    }

    /**
     * Returns the length of slot {@code i}'s frame, from the Ethernet header on, in bytes.
     *
     * @param i the slot
     * @return the length in bytes
     */
    public int length(int i) {
        return lengths[Objects.checkIndex(i, size)];
    }

    /**
     * Sets the length of slot {@code i}'s frame, after a stage shortened or lengthened it in place. The
     * dataplane transmits exactly this many bytes. Lengthening past {@link #MIN_ROOM} may overrun the
     * packet buffer.
     *
     * @param i the slot
     * @param length the new length in bytes, 0..{@value #MIN_ROOM} or up to the current length if that
     *     is larger
     * @throws IllegalArgumentException if length is negative, or longer than both the current length
     *     and {@link #MIN_ROOM}, or would end past the segment
     */
    public void setLength(int i, int length) {
        Objects.checkIndex(i, size);
        if (length < 0 || (length > MIN_ROOM && length > lengths[i])
                || length > memory.byteSize() - dataOffsets[i]) {
            throw new IllegalArgumentException("length of slot " + i + " must be 0.." + Math.max(MIN_ROOM, lengths[i])
                    + " and end inside memory, was " + length);
        }
        lengths[i] = length;
    }

    /**
     * Returns the role of the port slot {@code i}'s packet arrived on, as a byte.
     *
     * @param i the slot
     * @return {@link PortRole#CODE_INSIDE} or {@link PortRole#CODE_OUTSIDE}
     */
    public byte inPort(int i) {
        return inPorts[Objects.checkIndex(i, size)];
    }

    /**
     * Returns slot {@code i}'s verdict; a stage acts only on slots whose verdict is
     * {@link Verdict#PASS}.
     *
     * @param i the slot
     * @return one of the {@link Verdict} constants
     */
    public byte verdict(int i) {
        return verdicts[Objects.checkIndex(i, size)];
    }

    /**
     * Sets slot {@code i}'s verdict. Stages after this one no longer act on the slot unless the verdict
     * is {@link Verdict#PASS}.
     *
     * @param i the slot
     * @param verdict one of the {@link Verdict} constants
     * @throws IllegalArgumentException if verdict is not one of them
     */
    public void setVerdict(int i, byte verdict) {
        Objects.checkIndex(i, size);
        if (!Verdict.isValid(verdict)) {
            throw new IllegalArgumentException("verdict of slot " + i + " must be 0..5, was " + verdict);
        }
        if (verdict == Verdict.HANDOFF) {
            throw new IllegalArgumentException("verdict of slot " + i + ": HANDOFF needs a target, use setHandoff");
        }
        verdicts[i] = verdict;
    }

    /**
     * Gives slot {@code i} the verdict {@link Verdict#HANDOFF}: the dataplane moves the packet to worker
     * {@code toWorker}, which runs it through the stages again.
     *
     * @param i the slot
     * @param toWorker the id of the worker that owns the packet's flow, not this burst's own worker
     * @throws IllegalArgumentException if toWorker is negative or is this burst's worker
     */
    public void setHandoff(int i, int toWorker) {
        Objects.checkIndex(i, size);
        if (toWorker < 0 || toWorker == workerId) {
            throw new IllegalArgumentException(
                    "handoff target of slot " + i + " must be another worker than " + workerId + ", was " + toWorker);
        }
        verdicts[i] = Verdict.HANDOFF;
        handoffTargets[i] = toWorker;
    }

    /**
     * Returns the worker slot {@code i} is handed to.
     *
     * @param i the slot
     * @return the target worker id, or -1 if the slot's verdict is not {@link Verdict#HANDOFF}
     */
    public int handoffTarget(int i) {
        return verdicts[Objects.checkIndex(i, size)] == Verdict.HANDOFF ? handoffTargets[i] : -1;
    }

    /**
     * Returns the worker that handed slot {@code i}'s packet to this one, so a stage can tell a handed-off
     * packet from a received one (and never hand it back, which would loop).
     *
     * @param i the slot
     * @return the sending worker's id, or -1 for a packet received from a queue
     */
    public int handedOffFrom(int i) {
        return handedOffFrom[Objects.checkIndex(i, size)];
    }

    /**
     * Empties the burst and tags it for the next rx burst; for the dataplane and tests.
     *
     * @param workerId the owning worker's id, at least 0
     * @param rxQueue the receive queue, at least 0
     * @throws IllegalArgumentException if either is negative
     */
    public void reset(int workerId, int rxQueue) {
        if (workerId < 0) {
            throw new IllegalArgumentException("workerId must be >= 0, was " + workerId);
        }
        if (rxQueue < 0) {
            throw new IllegalArgumentException("rxQueue must be >= 0, was " + rxQueue);
        }
        this.workerId = workerId;
        this.rxQueue = rxQueue;
        this.size = 0;
    }

    /** Empties the burst, keeping its worker id, queue and memory; for the dataplane and tests. */
    public void clear() {
        size = 0;
    }

    /**
     * Appends a received packet with verdict {@link Verdict#PASS}; for the dataplane and tests.
     *
     * @param handle the dataplane's opaque handle of the packet, 0 in tests
     * @param dataOffset the offset of its Ethernet header in {@link #memory()}, in bytes
     * @param length the frame length in bytes
     * @param inPort {@link PortRole#CODE_INSIDE} or {@link PortRole#CODE_OUTSIDE}
     * @return the slot index the packet got
     * @throws IllegalStateException if the burst is full
     * @throws IllegalArgumentException if the frame does not lie inside the segment or inPort is not a
     *     role code
     */
    public int add(long handle, long dataOffset, int length, byte inPort) {
        return add(handle, dataOffset, length, inPort, -1);
    }

    /**
     * Appends a packet another worker handed to this one, with verdict {@link Verdict#PASS}; for the
     * dataplane and tests, and for a stage giving back a packet it stole.
     *
     * @param handle the dataplane's opaque handle of the packet, 0 in tests
     * @param dataOffset the offset of its Ethernet header in {@link #memory()}, in bytes
     * @param length the frame length in bytes
     * @param inPort {@link PortRole#CODE_INSIDE} or {@link PortRole#CODE_OUTSIDE}
     * @param fromWorker the worker that handed it over, or -1 for a packet received from a queue
     * @return the slot index the packet got
     * @throws IllegalStateException if the burst is full
     * @throws IllegalArgumentException if the frame does not lie inside the segment, inPort is not a role
     *     code, or fromWorker is less than -1
     */
    public int add(long handle, long dataOffset, int length, byte inPort, int fromWorker) {
        if (fromWorker < -1) {
            throw new IllegalArgumentException("fromWorker must be -1 or a worker id, was " + fromWorker);
        }
        if (size == handles.length) {
            throw new IllegalStateException("burst is full, capacity " + handles.length);
        }
        if (dataOffset < 0 || length < 0 || dataOffset > memory.byteSize() - length) {
            throw new IllegalArgumentException("frame at dataOffset " + dataOffset + " with length " + length
                    + " must lie inside memory of " + memory.byteSize() + " bytes");
        }
        if (inPort != PortRole.CODE_INSIDE && inPort != PortRole.CODE_OUTSIDE) {
            throw new IllegalArgumentException("inPort must be 0 (inside) or 1 (outside), was " + inPort);
        }
        int i = size++;
        handles[i] = handle;
        dataOffsets[i] = dataOffset;
        lengths[i] = length;
        inPorts[i] = inPort;
        verdicts[i] = Verdict.PASS;
        handedOffFrom[i] = fromWorker;
        return i;
    }

    @Override
    public String toString() {
        return "PacketBurst[worker=" + workerId + ", rxQueue=" + rxQueue + ", size=" + size + "/" + handles.length
                + "]";
    }
}
