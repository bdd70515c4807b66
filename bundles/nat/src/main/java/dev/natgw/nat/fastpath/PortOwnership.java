package dev.natgw.nat.fastpath;

import java.util.Arrays;
import java.util.Objects;

import dev.natgw.api.dataplane.RssConfig;

/**
 * Which worker owns each outside port, and which Toeplitz bucket the port falls in. Immutable and
 * shared by all workers; every method is allocation-free except the ones that return copies
 * ({@link #ownedPorts(int, int)}, {@link #retaEntries(int)}).
 *
 * <p>
 * A port's <em>bucket</em> is {@code t.dstPortPart(port) & (retaSize - 1)}: by the linearity of
 * Toeplitz, the return packet of a flow {@code remote -> outAddr:port} hits RETA entry
 * {@code (C ^ bucket(port)) & (retaSize - 1)} where {@code C = t.hash(remote, outAddr, remotePort, 0)}.
 * Within each bucket the ports in {@code portMin..portMax} are dealt to the workers round-robin in
 * ascending order (the deal of bucket {@code b} starts at worker {@code b % workers}, so no worker
 * gets the first port of every bucket). Hence every worker owns a share of every bucket, and can
 * find a port whose return traffic lands on it for any flow whose RETA entries include one of its
 * queues.
 *
 * <p>
 * Invariants: {@link #owner(int)} is a pure function of the port, the same for every address and
 * protocol; the owned port sets of the workers are disjoint and their union is
 * {@code portMin..portMax}; each worker's ports have dense <em>local indexes</em> 0..ownedCount-1,
 * ordered by bucket and then port, so per-worker state can live in plain arrays.
 */
public final class PortOwnership {
    private static final int PORTS = 65536;

    private final int portMin;
    private final int portMax;
    private final int workers;
    /** 0 when dealt port by port; else the ports of a block. */
    private final int blockSize;
    /** The first whole aligned block of the range ({@code port / blockSize}), and how many there are. */
    private final int firstBlock;
    private final int blocks;
    private final int retaSize;
    private final int mask;
    /** The worker each RETA entry's queue is polled by. */
    private final int[] retaWorker;
    /** owner[port]: worker, -1 outside the range. */
    private final short[] owner;
    /** bucketOf[port] for every port 0..65535. */
    private final char[] bucketOf;
    /** localIndex[port]: the port's index among its owner's ports. */
    private final char[] localIndex;
    /** ports[worker][local]: the owned ports, by bucket then port. */
    private final char[][] ports;
    /** bucketStart[worker][b]..bucketStart[worker][b + 1]: the local indexes of bucket b. */
    private final int[][] bucketStart;

    /**
     * Deals the ports of a pool to the workers that poll the receive queues.
     *
     * @param t the Toeplitz hash with the key the NIC is programmed with
     * @param rss the RSS configuration (its RETA)
     * @param workerForQueue the worker polling each receive queue, at least {@code rss.queues()}
     *     entries; the number of workers is its largest entry plus one
     * @param portMin the lowest port dealt, 0..portMax
     * @param portMax the highest port dealt, portMin..65535
     * @throws IllegalArgumentException if a range or the queue mapping is invalid
     */
    public PortOwnership(Toeplitz t, RssConfig rss, int[] workerForQueue, int portMin, int portMax) {
        this(t, rss, workerForQueue, maxPlusOne(workerForQueue, rss), portMin, portMax);
    }

    /**
     * Deals the ports of a pool to {@code workers} workers; use it when some worker polls no receive
     * queue (it still owns ports, but no return traffic lands on it, so its allocations all miss).
     *
     * @param t the Toeplitz hash with the key the NIC is programmed with
     * @param rss the RSS configuration (its RETA)
     * @param workerForQueue the worker polling each receive queue, at least {@code rss.queues()}
     *     entries, each 0..workers-1
     * @param workers the number of workers, 1..32767
     * @param portMin the lowest port dealt, 0..portMax
     * @param portMax the highest port dealt, portMin..65535
     * @throws IllegalArgumentException if a range or the queue mapping is invalid
     */
    public PortOwnership(Toeplitz t, RssConfig rss, int[] workerForQueue, int workers, int portMin, int portMax) {
        this(t, rss, workerForQueue, workers, portMin, portMax, 0);
    }

    /**
     * Deals the ports of a pool to {@code workers} workers, port by port or in whole blocks: with
     * {@code blockSize > 0}, the aligned blocks {@code j * blockSize .. (j + 1) * blockSize - 1} that lie wholly in
     * the range are dealt round-robin (the first whole block to worker 0), and the ports outside whole blocks to
     * nobody ({@link #owner} -1). The aligned block of 2^k ports covers a 2^k-element coset of the Toeplitz port
     * parts, so each block still spreads over many buckets and a flow finds ports in it whose return traffic comes
     * back to the block's worker.
     *
     * @param t the Toeplitz hash with the key the NIC is programmed with
     * @param rss the RSS configuration (its RETA)
     * @param workerForQueue the worker polling each receive queue
     * @param workers the number of workers, 1..32767
     * @param portMin the lowest port dealt, 0..portMax
     * @param portMax the highest port dealt, portMin..65535
     * @param blockSize 0 to deal port by port, else a power of two: the ports of a block
     * @throws IllegalArgumentException if a range or the queue mapping is invalid
     */
    public PortOwnership(Toeplitz t, RssConfig rss, int[] workerForQueue, int workers, int portMin, int portMax,
            int blockSize) {
        Objects.requireNonNull(t, "t");
        Objects.requireNonNull(rss, "rss");
        Objects.requireNonNull(workerForQueue, "workerForQueue");
        if (portMin < 0 || portMin > 65535 || portMax < portMin || portMax > 65535) {
            throw new IllegalArgumentException("ports must be 0 <= portMin <= portMax <= 65535, were " + portMin
                    + ".." + portMax);
        }
        if (workers < 1 || workers > Short.MAX_VALUE) {
            throw new IllegalArgumentException("workers must be 1.." + Short.MAX_VALUE + ", was " + workers);
        }
        if (workerForQueue.length < rss.queues()) {
            throw new IllegalArgumentException(
                    "workerForQueue needs " + rss.queues() + " entries, had " + workerForQueue.length);
        }
        for (int q = 0; q < rss.queues(); q++) {
            if (workerForQueue[q] < 0 || workerForQueue[q] >= workers) {
                throw new IllegalArgumentException(
                        "workerForQueue[" + q + "] must be 0.." + (workers - 1) + ", was " + workerForQueue[q]);
            }
        }
        if (blockSize < 0 || blockSize > 0 && Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be 0 or a power of two, was " + blockSize);
        }
        this.portMin = portMin;
        this.portMax = portMax;
        this.workers = workers;
        this.blockSize = blockSize;
        this.firstBlock = blockSize == 0 ? 0 : (portMin + blockSize - 1) / blockSize;
        this.blocks = blockSize == 0 ? 0 : Math.max(0, (portMax + 1) / blockSize - firstBlock);
        int[] reta = rss.redirectionTable();
        this.retaSize = reta.length;
        this.mask = retaSize - 1;
        this.retaWorker = new int[retaSize];
        for (int r = 0; r < retaSize; r++) {
            retaWorker[r] = workerForQueue[reta[r]];
        }

        bucketOf = new char[PORTS];
        for (int p = 0; p < PORTS; p++) {
            bucketOf[p] = (char) (t.dstPortPart(p) & mask);
        }
        owner = new short[PORTS];
        Arrays.fill(owner, (short) -1);
        localIndex = new char[PORTS];
        // dealt[b]: how many ports of bucket b were dealt so far, to continue the round-robin
        int[] dealt = new int[retaSize];
        int[][] perBucket = new int[workers][retaSize];
        for (int p = portMin; p <= portMax; p++) {
            int b = bucketOf[p];
            int w;
            if (blockSize == 0) {
                w = (int) ((dealt[b]++ + (long) b) % workers);
            } else {
                int j = p / blockSize - firstBlock;
                if (j < 0 || j >= blocks) {
                    continue; // not in a whole block: nobody's
                }
                w = j % workers;
            }
            owner[p] = (short) w;
            perBucket[w][b]++;
        }
        ports = new char[workers][];
        bucketStart = new int[workers][retaSize + 1];
        for (int w = 0; w < workers; w++) {
            for (int b = 0; b < retaSize; b++) {
                bucketStart[w][b + 1] = bucketStart[w][b] + perBucket[w][b];
            }
            ports[w] = new char[bucketStart[w][retaSize]];
        }
        int[][] fill = new int[workers][];
        for (int w = 0; w < workers; w++) {
            fill[w] = Arrays.copyOf(bucketStart[w], retaSize);
        }
        // ascending port order, so each bucket's ports end up sorted
        for (int p = portMin; p <= portMax; p++) {
            int w = owner[p];
            if (w < 0) {
                continue;
            }
            int i = fill[w][bucketOf[p]]++;
            ports[w][i] = (char) p;
            localIndex[p] = (char) i;
        }
    }

    private static int maxPlusOne(int[] workerForQueue, RssConfig rss) {
        int max = 0;
        for (int q = 0; q < Math.min(workerForQueue.length, rss.queues()); q++) {
            max = Math.max(max, workerForQueue[q]);
        }
        return max + 1;
    }

    /**
     * Returns the worker that owns a port: the only one that hands it out, and the one an outside
     * packet to it is handed to.
     *
     * @param port the port
     * @return the worker, or -1 if the port is outside portMin..portMax
     */
    public int owner(int port) {
        return port < portMin || port > portMax ? -1 : owner[port];
    }

    /**
     * Returns the worker a packet with this RSS hash is received by: RETA, then the queue's worker.
     *
     * @param hash the Toeplitz hash
     * @return the worker
     */
    public int workerForHash(int hash) {
        return retaWorker[hash & mask];
    }

    /**
     * Returns the port's Toeplitz bucket, {@code dstPortPart(port) & (retaSize - 1)}.
     *
     * @param port the port, 0..65535
     * @return the bucket, 0..retaSize-1
     */
    public int bucket(int port) {
        return bucketOf[port & 0xffff];
    }

    /** {@return 0 when the ports are dealt one by one, else the ports of a block} */
    public int blockSize() {
        return blockSize;
    }

    /** {@return the whole blocks dealt (0 when dealt port by port)} */
    public int blocks() {
        return blocks;
    }

    /**
     * Returns the first port of a dealt block.
     *
     * @param block the block, 0..blocks()-1; block {@code j} belongs to worker {@code j % workers()}
     * @return its first port
     */
    public int blockFirstPort(int block) {
        return (firstBlock + block) * blockSize;
    }

    /**
     * Returns the dealt block a port is in.
     *
     * @param port the port
     * @return the block, or -1 when the port is in no dealt block (or the ports are dealt one by one)
     */
    public int blockOf(int port) {
        if (blockSize == 0 || port < portMin || port > portMax) {
            return -1;
        }
        int j = port / blockSize - firstBlock;
        return j < 0 || j >= blocks ? -1 : j;
    }

    /** {@return the number of workers ports are dealt to} */
    public int workers() {
        return workers;
    }

    /** {@return the number of RETA entries, a power of two, which is also the number of buckets} */
    public int retaSize() {
        return retaSize;
    }

    /** {@return the lowest port dealt} */
    public int portMin() {
        return portMin;
    }

    /** {@return the highest port dealt} */
    public int portMax() {
        return portMax;
    }

    /**
     * Returns how many ports a worker owns.
     *
     * @param worker the worker
     * @return the count
     */
    public int ownedCount(int worker) {
        return ports[worker].length;
    }

    /**
     * Returns how many ports of a bucket a worker owns.
     *
     * @param worker the worker
     * @param bucket the bucket
     * @return the count
     */
    public int ownedCount(int worker, int bucket) {
        return bucketStart[worker][bucket + 1] - bucketStart[worker][bucket];
    }

    /**
     * Returns the ports of a bucket that a worker owns, ascending.
     *
     * @param worker the worker
     * @param bucket the bucket
     * @return a fresh array
     */
    public int[] ownedPorts(int worker, int bucket) {
        int from = bucketStart[worker][bucket];
        int[] out = new int[bucketStart[worker][bucket + 1] - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = ports[worker][from + i];
        }
        return out;
    }

    /**
     * Returns the RETA entries whose queue the worker polls: the values {@code r} for which a flow
     * with {@code C ^ bucket == r (mod retaSize)} lands on the worker.
     *
     * @param worker the worker
     * @return a fresh array, ascending
     */
    public int[] retaEntries(int worker) {
        int n = 0;
        for (int r = 0; r < retaSize; r++) {
            if (retaWorker[r] == worker) {
                n++;
            }
        }
        int[] out = new int[n];
        n = 0;
        for (int r = 0; r < retaSize; r++) {
            if (retaWorker[r] == worker) {
                out[n++] = r;
            }
        }
        return out;
    }

    /**
     * Returns a port's local index: its position among its owner's ports, ordered by bucket and then
     * port. Meaningful only for a port in range.
     *
     * @param port the port, portMin..portMax
     * @return the local index, 0..ownedCount(owner(port))-1
     */
    public int localIndex(int port) {
        return localIndex[port & 0xffff];
    }

    /**
     * Returns the port at a worker's local index.
     *
     * @param worker the worker
     * @param local the local index
     * @return the port
     */
    public int portAt(int worker, int local) {
        return ports[worker][local];
    }

    /**
     * Returns the first local index of a worker's bucket; the bucket's ports are the local indexes
     * {@code bucketStart(w, b)..bucketStart(w, b + 1) - 1}.
     *
     * @param worker the worker
     * @param bucket the bucket, 0..retaSize (retaSize gives the end of the last bucket)
     * @return the local index
     */
    public int bucketStart(int worker, int bucket) {
        return bucketStart[worker][bucket];
    }
}
