package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.AllocatorMemory.i32;

import dev.natgw.nat.handover.BlockLayout;
import java.lang.foreign.MemorySegment;

/**
 * The inside hosts of one {@link BlockAllocator} and the chains of blocks they own: an open-addressing table
 * (linear probing, deletion by backward shift, no tombstones) of {@link BlockLayout#hostSlots} slots, each an inside
 * address, the head of its chain of blocks (linked through the blocks' {@code next} array) and the chain's length.
 * A slot with length 0 is empty; a host is in the table exactly while it owns a block. It lives in the allocator's
 * off-heap segment at the {@link BlockLayout} offsets, so a hand-over carries it.
 *
 * <p>
 * Invariants: used by the allocator's worker thread only; allocation-free and lock-free; there is always an empty
 * slot (hosts own a block each and the slots are at least twice the blocks), so probing ends.
 */
final class BlockHosts {
    private final MemorySegment mem;
    private final int mask;
    private final long addrAt;
    private final long headAt;
    private final long countAt;
    private final long nextAt;

    /**
     * @param slots the table's slots, a power of two
     * @param addrAt the offset of the slots' inside addresses
     * @param headAt the offset of the slots' chain heads
     * @param countAt the offset of the slots' chain lengths
     * @param nextAt the offset of the blocks' next links, which the chains share with the free stacks and hold-down
     */
    BlockHosts(MemorySegment mem, int slots, long addrAt, long headAt, long countAt, long nextAt) {
        this.mem = mem;
        this.mask = slots - 1;
        this.addrAt = addrAt;
        this.headAt = headAt;
        this.countAt = countAt;
        this.nextAt = nextAt;
    }

    /** New memory: every slot empty. */
    void clear() {
        for (int h = 0; h <= mask; h++) {
            i32(mem, headAt, h, -1);
        }
    }

    /** {@return the slot of a host, or -1 if it owns no block} */
    int find(int inAddr) {
        int h = home(inAddr);
        while (i32(mem, countAt, h) != 0) {
            if (i32(mem, addrAt, h) == inAddr) {
                return h;
            }
            h = (h + 1) & mask;
        }
        return -1;
    }

    /** {@return a new, empty slot for a host not in the table; {@link #link} its first block at once} */
    int insert(int inAddr) {
        int h = home(inAddr);
        while (i32(mem, countAt, h) != 0) {
            h = (h + 1) & mask;
        }
        i32(mem, addrAt, h, inAddr);
        i32(mem, headAt, h, -1);
        return h;
    }

    /** {@return the first block of a slot's chain, -1 for none} */
    int head(int h) {
        return i32(mem, headAt, h);
    }

    /** {@return how many blocks a slot's host owns} */
    int count(int h) {
        return i32(mem, countAt, h);
    }

    /** Puts a block at the head of a slot's chain. */
    void link(int h, int b) {
        i32(mem, nextAt, b, i32(mem, headAt, h));
        i32(mem, headAt, h, b);
        i32(mem, countAt, h, i32(mem, countAt, h) + 1);
    }

    /**
     * Takes a block out of its owner's chain, deleting the owner with its last block.
     *
     * @throws IllegalStateException if the owner is not in the table or the block not in its chain (corrupt memory)
     */
    void unlink(int owner, int b) {
        int h = find(owner);
        if (h < 0) {
            throw new IllegalStateException("block " + b + " has no host");
        }
        int prev = -1;
        for (int c = i32(mem, headAt, h); c != b; c = i32(mem, nextAt, c)) {
            if (c < 0) {
                throw new IllegalStateException("block " + b + " is not in its host's chain");
            }
            prev = c;
        }
        int next = i32(mem, nextAt, b);
        if (prev < 0) {
            i32(mem, headAt, h, next);
        } else {
            i32(mem, nextAt, prev, next);
        }
        int count = i32(mem, countAt, h) - 1;
        i32(mem, countAt, h, count);
        if (count == 0) {
            delete(h);
        }
    }

    private int home(int inAddr) {
        return Ownership.fmix32(inAddr ^ 0x2545f491) & mask;
    }

    /** Empties a slot, shifting back the entries after it that probed past it, so lookups need no tombstones. */
    private void delete(int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (i32(mem, countAt, j) == 0) {
                break;
            }
            int k = home(i32(mem, addrAt, j));
            boolean stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
            if (!stays) {
                i32(mem, addrAt, hole, i32(mem, addrAt, j));
                i32(mem, headAt, hole, i32(mem, headAt, j));
                i32(mem, countAt, hole, i32(mem, countAt, j));
                hole = j;
            }
        }
        i32(mem, addrAt, hole, 0);
        i32(mem, headAt, hole, -1);
        i32(mem, countAt, hole, 0);
    }
}
