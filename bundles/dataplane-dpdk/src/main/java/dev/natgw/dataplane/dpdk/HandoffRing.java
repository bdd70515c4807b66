package dev.natgw.dataplane.dpdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer single-consumer ring of packets from one worker to another: the mbuf and
 * the role of the port it came in on. Lock-free and allocation-free; a full ring refuses, it never
 * waits.
 */
final class HandoffRing {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(HandoffRing.class, "head", long.class);
            TAIL = MethodHandles.lookup().findVarHandle(HandoffRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] mbufs;
    private final byte[] ports;
    private final int mask;
    // the producer's and the consumer's positions, kept apart from each other's cache line
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7;
    private volatile long tail;
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7;
    private volatile long head;

    HandoffRing(int capacity) {
        int size = Integer.highestOneBit(capacity);
        this.mbufs = new long[size];
        this.ports = new byte[size];
        this.mask = size - 1;
    }

    /** Producer: adds a packet; false if the ring is full. */
    boolean offer(long mbuf, byte inPort) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) >= mbufs.length) {
            return false;
        }
        int idx = (int) t & mask;
        mbufs[idx] = mbuf;
        ports[idx] = inPort;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer: how many packets are ready. */
    int available() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getOpaque(this));
    }

    /** Consumer: the mbuf k places after the head; k below {@link #available()}. */
    long mbufAt(int k) {
        return mbufs[(int) ((long) HEAD.getOpaque(this) + k) & mask];
    }

    /** Consumer: the port role of the packet k places after the head. */
    byte portAt(int k) {
        return ports[(int) ((long) HEAD.getOpaque(this) + k) & mask];
    }

    /** Consumer: releases n packets taken from the head. */
    void advance(int n) {
        HEAD.setRelease(this, (long) HEAD.getOpaque(this) + n);
    }
}
