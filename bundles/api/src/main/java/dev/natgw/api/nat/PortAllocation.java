package dev.natgw.api.nat;

import java.util.Objects;

/**
 * How a pool allocates its ports: per mapping, in blocks per inside host, or deterministically from an inside
 * prefix (RFC 7422).
 *
 * @param mode the allocation mode
 * @param blockSize the ports of one block, a power of two 16..4096; ignored per session
 * @param blocksPerHost the most blocks one inside host may hold at once, 1..1024; only for
 *     {@link AllocationMode#PORT_BLOCKS} (a deterministic host has exactly one)
 * @param insidePrefix the inside addresses a deterministic pool maps, one block each; null in the other modes
 * @since 1.5
 */
public record PortAllocation(AllocationMode mode, int blockSize, int blocksPerHost, Ipv4Range insidePrefix) {
    /** The ports of a block by default. */
    public static final int DEFAULT_BLOCK_SIZE = 256;
    /** Blocks per inside host by default. */
    public static final int DEFAULT_BLOCKS_PER_HOST = 4;
    /** The smallest block. */
    public static final int MIN_BLOCK_SIZE = 16;
    /** The largest block. */
    public static final int MAX_BLOCK_SIZE = 4096;
    /** The most blocks one host may hold. */
    public static final int MAX_BLOCKS_PER_HOST = 1024;

    /** A port per mapping, as before version 1.5. */
    public static final PortAllocation PER_SESSION = new PortAllocation(AllocationMode.PER_SESSION,
            DEFAULT_BLOCK_SIZE, DEFAULT_BLOCKS_PER_HOST, null);

    /** Validates. */
    public PortAllocation {
        Objects.requireNonNull(mode, "mode");
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two " + MIN_BLOCK_SIZE + ".."
                    + MAX_BLOCK_SIZE + ", was " + blockSize);
        }
        if (blocksPerHost < 1 || blocksPerHost > MAX_BLOCKS_PER_HOST) {
            throw new IllegalArgumentException("blocksPerHost must be 1.." + MAX_BLOCKS_PER_HOST + ", was "
                    + blocksPerHost);
        }
        if (mode == AllocationMode.DETERMINISTIC) {
            Objects.requireNonNull(insidePrefix, "a deterministic pool needs an insidePrefix");
            if (insidePrefix.size() > 1 << 20) {
                throw new IllegalArgumentException("insidePrefix must hold at most " + (1 << 20)
                        + " addresses, had " + insidePrefix.size());
            }
        } else if (insidePrefix != null) {
            throw new IllegalArgumentException("insidePrefix is for deterministic pools only");
        }
    }

    /**
     * Port blocks.
     *
     * @param blockSize the ports of a block
     * @param blocksPerHost the most blocks one host holds
     * @return the allocation
     */
    public static PortAllocation blocks(int blockSize, int blocksPerHost) {
        return new PortAllocation(AllocationMode.PORT_BLOCKS, blockSize, blocksPerHost, null);
    }

    /**
     * Deterministic NAT.
     *
     * @param blockSize the ports of each inside address
     * @param insidePrefix the inside addresses mapped
     * @return the allocation
     */
    public static PortAllocation deterministic(int blockSize, Ipv4Range insidePrefix) {
        return new PortAllocation(AllocationMode.DETERMINISTIC, blockSize, 1, insidePrefix);
    }

    /** {@return whether ports go out in blocks (either block mode)} */
    public boolean inBlocks() {
        return mode != AllocationMode.PER_SESSION;
    }
}
