package dev.natgw.benchmarks;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The baseline: the port allocator of the classic DPDK middlebox NAT sample, rebuilt from its description.
 * One free list of the ports 1025..65534 of one global address, a doubly linked list over two {@code int}
 * arrays; one global {@link ReentrantLock} taken for every allocation and every release; an allocation scans
 * the list from its head for a port whose reverse tuple {@code remote:remotePort -> global:port} hashes (by
 * the bit-by-bit {@link SoftRss}) through the 128-entry RETA to the allocating core's queue, and unlinks it; a
 * release appends the port at the tail. Thread-safe through the lock (the benchmark drives it from one
 * thread, so the lock is never contended: the baseline is at its best).
 */
final class ClassicAllocator {
    static final int PORT_MIN = 1025;
    static final int PORT_MAX = 65534;
    private static final int NONE = -1;

    private final int global;
    private final SoftRss rss;
    private final int[] reta;
    private final int[] coreForQueue;
    private final ReentrantLock lock = new ReentrantLock();
    private final int[] next = new int[65536];
    private final int[] prev = new int[65536];
    private int head;
    private int tail;
    /** Ports examined by all allocations, for the mean scan length. */
    private long scanned;
    private long allocations;

    /**
     * Puts every port on the free list, in ascending order.
     *
     * @param global the global address, network order
     * @param rss the software Toeplitz hash with the NIC's key
     * @param reta the redirection table: queue of each entry, 128 entries
     * @param coreForQueue the core polling each queue
     */
    ClassicAllocator(int global, SoftRss rss, int[] reta, int[] coreForQueue) {
        this.global = global;
        this.rss = rss;
        this.reta = reta.clone();
        this.coreForQueue = coreForQueue.clone();
        head = NONE;
        tail = NONE;
        for (int p = PORT_MIN; p <= PORT_MAX; p++) {
            append(p);
        }
    }

    /**
     * Takes the first free port whose return traffic lands on {@code core}.
     *
     * @param core the allocating core
     * @param remote the remote address
     * @param remotePort the remote port
     * @return the port, or -1 if no free port matches
     */
    int allocate(int core, int remote, int remotePort) {
        lock.lock();
        try {
            allocations++;
            for (int p = head; p != NONE; p = next[p]) {
                scanned++;
                int h = rss.hash(remote, global, remotePort, p);
                if (coreForQueue[reta[h & (reta.length - 1)]] == core) {
                    unlink(p);
                    return p;
                }
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a port back: it goes to the tail of the list.
     *
     * @param port the port
     */
    void release(int port) {
        lock.lock();
        try {
            append(port);
        } finally {
            lock.unlock();
        }
    }

    /** {@return the mean number of ports an allocation examined so far} */
    double meanScan() {
        return allocations == 0 ? 0 : (double) scanned / allocations;
    }

    private void append(int p) {
        prev[p] = tail;
        next[p] = NONE;
        if (tail == NONE) {
            head = p;
        } else {
            next[tail] = p;
        }
        tail = p;
    }

    private void unlink(int p) {
        int a = prev[p];
        int b = next[p];
        if (a == NONE) {
            head = b;
        } else {
            next[a] = b;
        }
        if (b == NONE) {
            tail = a;
        } else {
            prev[b] = a;
        }
    }
}
