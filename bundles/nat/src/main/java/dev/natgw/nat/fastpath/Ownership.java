package dev.natgw.nat.fastpath;

/**
 * Which worker is home to an inside host: all the host's sessions, mappings and port quota live
 * there, so no two workers ever write the same host's state. A pure, well-mixed function of the
 * address, the same on every worker; allocation-free.
 */
public final class Ownership {
    private Ownership() {
    }

    /**
     * Returns the home worker of an inside host.
     *
     * @param inAddr the inside address, network order
     * @param workers the number of workers, at least 1
     * @return the worker, 0..workers-1
     */
    public static int home(int inAddr, int workers) {
        // sequential inside addresses must not pile up on one worker: mix all bits first; then scale the 32-bit
        // hash to 0..workers-1 with a multiply instead of a division, which every packet would pay
        return (int) (((fmix32(inAddr) & 0xffffffffL) * workers) >>> 32);
    }

    /** The murmur3 finalizer: a bijection in which every input bit flips each output bit about half the time. */
    static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
