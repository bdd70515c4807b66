package dev.natgw.tester;

/**
 * The tester's flows (RFC 9693's connections): flow {@code i} of a block goes from the inside host's address and
 * source port {@code SRC_PORT_LO + i % SRC_PORTS} to the destination address {@code dstBase + i / SRC_PORTS} on
 * {@link #DST_PORT}. Source ports vary first, so up to 64,512 flows share one destination and each flow is a
 * distinct inside endpoint (a distinct mapping for an endpoint-independent NAT); beyond that the destination
 * address varies. A block starts at a flow offset, so that a trial can use tuples no earlier trial used.
 *
 * <p>
 * The translated endpoint of each flow, learnt from what the gateway sent out (RFC 9693's stateful responder), is
 * kept in two arrays indexed by flow: {@code 6 bytes} per flow, 24 MB at 4M flows.
 */
public final class Flows {
    /** The first source port of the inside host (ports below it are left alone). */
    public static final int SRC_PORT_LO = 1024;
    /** Source ports per destination address. */
    public static final int SRC_PORTS = 65536 - SRC_PORT_LO;
    /** The destination (responder) UDP port of every flow. */
    public static final int DST_PORT = 7000;

    final int count;
    final int insideHost;
    final int dstBase;
    final long offset;
    /** Translated source address and port per flow, 0 until the flow's first frame came out of the gateway. */
    final int[] mappedAddress;
    final char[] mappedPort;

    /**
     * @param count the number of flows (1 ... 2^24)
     * @param insideHost the inside host's address
     * @param dstBase the first destination address
     * @param offset the first flow's position in the whole tuple space (a fresh block per trial uses new tuples)
     */
    public Flows(int count, int insideHost, int dstBase, long offset) {
        if (count < 1 || count > 1 << 24) {
            throw new IllegalArgumentException("flows must be 1 ... 16777216, got " + count);
        }
        long lastAddress = (offset + count - 1) / SRC_PORTS;
        if (lastAddress >= 1 << 15) {
            throw new IllegalArgumentException("the tuple space is used up at offset " + offset);
        }
        this.count = count;
        this.insideHost = insideHost;
        this.dstBase = dstBase;
        this.offset = offset;
        this.mappedAddress = new int[count];
        this.mappedPort = new char[count];
    }

    /** {@return the number of flows} */
    public int count() {
        return count;
    }

    /** {@return the inside source port of flow i} */
    int srcPort(int i) {
        return SRC_PORT_LO + (int) ((offset + i) % SRC_PORTS);
    }

    /** {@return the destination address of flow i} */
    int dstAddress(int i) {
        return dstBase + (int) ((offset + i) / SRC_PORTS);
    }

    /** {@return how many flows have a learnt translation} */
    public int mapped() {
        int n = 0;
        for (int a : mappedAddress) {
            if (a != 0) {
                n++;
            }
        }
        return n;
    }

    /** {@return a block of the same size and addresses right after this one, with nothing learnt} */
    public Flows next() {
        return new Flows(count, insideHost, dstBase, offset + count);
    }
}
