package dev.natgw.nat.fastpath;

import dev.natgw.api.nat.Ipv4Range;

/**
 * The formula of a deterministic pool (RFC 7422), computed over each worker's own blocks so that a subscriber's
 * ports bring its return traffic to the worker that keeps its sessions.
 *
 * <p>
 * The pool's ports are dealt in aligned blocks of B ports, block j to worker {@code j % W}
 * ({@link PortOwnership}'s block deal); worker w's blocks on address index a are numbered
 * {@code k = a * perAddress(w) + i} for its i-th block ({@code j = w + i * W}). The inside addresses of the prefix
 * whose home worker ({@link Ownership#home}) is w, taken in ascending order, get w's blocks round the addresses:
 * the r-th of them gets address index {@code r % A} and that address's {@code r / A}-th block of w, so
 * subscribers spread over all outside addresses. So the subscriber, its outside address and its ports are a pure function of the
 * prefix, the pool's addresses and port range, the block size and the worker count, and either direction is
 * answered from the configuration alone, without a log.
 *
 * <p>
 * Immutable and shared by the workers; {@link #rank} is allocation-free. Memory: 8 bytes per inside address.
 */
public final class DeterministicPlan {
    private final int first;
    private final int size;
    private final int workers;
    private final int addresses;
    private final PortOwnership own;
    /** rank[s]: the rank of subscriber s (prefix offset) among its home worker's subscribers. */
    private final int[] rank;
    /** byWorker[w][r]: the prefix offset of worker w's r-th subscriber. */
    private final int[][] byWorker;

    /**
     * Computes the plan.
     *
     * @param prefix the inside addresses
     * @param addresses the pool's outside addresses
     * @param own the block deal of the pool's ports
     */
    public DeterministicPlan(Ipv4Range prefix, int addresses, PortOwnership own) {
        this.first = prefix.first();
        this.size = (int) prefix.size();
        this.workers = own.workers();
        this.addresses = addresses;
        this.own = own;
        this.rank = new int[size];
        int[] count = new int[workers];
        for (int s = 0; s < size; s++) {
            int w = Ownership.home(first + s, workers);
            rank[s] = count[w]++;
        }
        byWorker = new int[workers][];
        for (int w = 0; w < workers; w++) {
            byWorker[w] = new int[count[w]];
        }
        for (int s = 0; s < size; s++) {
            int w = Ownership.home(first + s, workers);
            byWorker[w][rank[s]] = s;
        }
    }

    /** {@return the blocks per address a worker owns} */
    public int perAddress(int worker) {
        int blocks = own.blocks();
        return blocks > worker ? (blocks - worker + workers - 1) / workers : 0;
    }

    /**
     * Returns an inside address's rank among its home worker's subscribers, which names its block: address index
     * {@code rank % addresses}, the worker's {@code rank / addresses}-th block there. Allocation-free.
     *
     * @param inAddr the inside address
     * @return the rank, or -1 when the prefix does not hold the address
     */
    public int rank(int inAddr) {
        long s = Integer.toUnsignedLong(inAddr) - Integer.toUnsignedLong(first);
        return s < 0 || s >= size ? -1 : rank[(int) s];
    }

    /** {@return the subscribers of a worker that get no block (its blocks are fewer than its subscribers)} */
    public int unserved(int worker) {
        return Math.max(0, byWorker[worker].length - addresses * perAddress(worker));
    }

    /** {@return the most subscribers without a block over the workers, summed} */
    public int unserved() {
        int n = 0;
        for (int w = 0; w < workers; w++) {
            n += unserved(w);
        }
        return n;
    }

    /**
     * Returns the block of an inside address.
     *
     * @param inAddr the inside address
     * @return {@code addressIndex << 32 | first port}, or -1 when the address is not in the prefix or gets no block
     */
    public long blockOf(int inAddr) {
        int r = rank(inAddr);
        if (r < 0) {
            return -1;
        }
        int w = Ownership.home(inAddr, workers);
        int per = perAddress(w);
        if (per == 0 || r >= addresses * per) {
            return -1;
        }
        int a = r % addresses;
        int j = w + (r / addresses) * workers;
        return (long) a << 32 | own.blockFirstPort(j);
    }

    /**
     * Returns who owns an outside address index and port.
     *
     * @param addrIndex the address's index in the pool
     * @param port the port
     * @return the inside address as an unsigned value, or -1 when no subscriber has that port
     */
    public long subscriberOf(int addrIndex, int port) {
        int j = own.blockOf(port);
        if (j < 0 || addrIndex < 0 || addrIndex >= addresses) {
            return -1;
        }
        int w = j % workers;
        int r = j / workers * addresses + addrIndex;
        return r < byWorker[w].length ? Integer.toUnsignedLong(first + byWorker[w][r]) : -1;
    }

    /** {@return the prefix's first address} */
    public int first() {
        return first;
    }

    /** {@return the number of inside addresses} */
    public int size() {
        return size;
    }
}
