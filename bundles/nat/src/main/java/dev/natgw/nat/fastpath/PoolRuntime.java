package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.api.nat.AllocationMode;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SubscriberLimits;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * A pool as the workers use it: its definition flattened into primitive fields, and one
 * {@link PortAllocator} per worker, of which worker {@code w} only ever touches {@code allocators[w]}.
 * Built on a control thread before it is published in a {@link NatSnapshot}; a removed pool stays
 * reachable by its slot until the engine closes, so sessions made from it can give their ports back.
 */
public final class PoolRuntime {
    /** Filtering codes, compared on the fast path. */
    public static final int FILTER_ENDPOINT_INDEPENDENT = 0;
    public static final int FILTER_ADDRESS = 1;
    public static final int FILTER_ADDRESS_AND_PORT = 2;

    private final int slot;
    private final PoolDefinition definition;
    private final int[] addresses;
    private final PortOwnership ownership;
    private final PortAllocator[] allocators;
    /** Port-block or deterministic mode: a block allocator per worker, and no {@link #allocators}. */
    private final BlockAllocator[] blockAllocators;
    /** Deterministic mode's formula, else null. */
    private final DeterministicPlan plan;
    /** Whether ports go out in blocks (port-block or deterministic mode); compared on the fast path. */
    final boolean blocks;
    /** Port-block mode: blocks are logged, mappings are not. */
    final boolean logsBlocks;
    final boolean endpointIndependentMapping;
    final int filtering;
    final boolean paired;
    final int quota;
    final boolean icmpOnExhaustion;
    /** Sessions per inside host, 0 for no limit. */
    final int sessionsPerHost;
    /** Nanoseconds per token of the new-mapping bucket, 0 for no limit. */
    final long mappingInterval;
    /** Tokens the new-mapping bucket holds. */
    final long mappingBurst;
    /** Sessions a mapping may hold for an outside packet to open one more, 0 for no limit. */
    final int inboundPerMapping;

    /**
     * Builds the runtime of a pool, with an allocator per worker.
     *
     * @param slot the pool's slot, 0..{@link NatSnapshot#MAX_POOLS}-1, stored in its sessions
     * @param definition the pool
     * @param engine the engine whose workers use it
     * @param holdDownNanos how long a freed port stays out of service
     * @param holdCapacity the hold-down FIFO's bound per worker
     */
    public PoolRuntime(int slot, PoolDefinition definition, NatEngine engine, long holdDownNanos, int holdCapacity) {
        this(slot, definition, engine, holdDownNanos, holdCapacity, Map.of());
    }

    /**
     * Builds the runtime of a pool, taking over the allocators another revision of the bundle handed over (named
     * by {@link #memoryName}) and making new ones for the workers that have none there. Adopted memory is only
     * read here.
     *
     * @param slot the pool's slot, 0..{@link NatSnapshot#MAX_POOLS}-1, stored in its sessions
     * @param definition the pool
     * @param engine the engine whose workers use it; new allocators live in its workers' arenas
     * @param holdDownNanos how long a freed port stays out of service
     * @param holdCapacity the hold-down FIFO's bound per worker
     * @param handedOver memory by name, possibly holding this pool's allocators
     * @throws IllegalArgumentException if handed-over memory does not fit, naming what
     */
    public PoolRuntime(int slot, PoolDefinition definition, NatEngine engine, long holdDownNanos, int holdCapacity,
            Map<String, MemorySegment> handedOver) {
        this.slot = slot;
        this.definition = definition;
        this.addresses = flatten(definition);
        this.endpointIndependentMapping = definition.mapping() == MappingBehavior.ENDPOINT_INDEPENDENT;
        this.filtering = switch (definition.filtering()) {
            case ENDPOINT_INDEPENDENT -> FILTER_ENDPOINT_INDEPENDENT;
            case ADDRESS_DEPENDENT -> FILTER_ADDRESS;
            case ADDRESS_AND_PORT_DEPENDENT -> FILTER_ADDRESS_AND_PORT;
        };
        this.paired = definition.pairedPooling();
        this.quota = definition.perHostPortQuota();
        this.icmpOnExhaustion = definition.icmpOnExhaustion();
        SubscriberLimits limits = definition.limits();
        this.sessionsPerHost = limits.sessionsPerHost();
        this.mappingInterval = limits.mappingsPerSecond() == 0 ? 0 : 1_000_000_000L / limits.mappingsPerSecond();
        this.mappingBurst = limits.mappingBurst();
        this.inboundPerMapping = limits.inboundSessionsPerMapping();
        PortAllocation allocation = definition.allocation();
        this.blocks = allocation.inBlocks();
        this.logsBlocks = allocation.mode() == AllocationMode.PORT_BLOCKS;
        if (!blocks) {
            this.ownership = engine.ownership(definition.portMin(), definition.portMax());
            this.allocators = new PortAllocator[ownership.workers()];
            this.blockAllocators = null;
            this.plan = null;
            // in the workers' arenas: freed with the engine's tables, or handed over with them
            for (int w = 0; w < allocators.length; w++) {
                allocators[w] = new PortAllocator(ownership, engine.toeplitz(), w, addresses, holdDownNanos,
                        holdCapacity, engine.worker(w).arena(), handedOver.get(memoryName(w, slot)));
            }
            return;
        }
        this.ownership = engine.blockOwnership(definition.portMin(), definition.portMax(), allocation.blockSize());
        this.allocators = new PortAllocator[ownership.workers()];
        this.plan = allocation.mode() == AllocationMode.DETERMINISTIC
                ? new DeterministicPlan(allocation.insidePrefix(), addresses.length, ownership)
                : null;
        this.blockAllocators = new BlockAllocator[ownership.workers()];
        for (int w = 0; w < blockAllocators.length; w++) {
            blockAllocators[w] = new BlockAllocator(ownership, engine.toeplitz(), w, addresses,
                    allocation.blocksPerHost(), holdDownNanos, plan, engine.worker(w).arena(),
                    handedOver.get(blockMemoryName(w, slot)));
        }
    }

    /**
     * The index of the address a new mapping of an inside endpoint tries first: its host's address under paired
     * pooling, else one spread by the endpoint. The same on every worker.
     *
     * @param a any worker's allocator of this pool
     * @param inAddr the inside address
     * @param inPort the inside port or identifier
     * @return the address index
     */
    int firstAddress(PortAllocator a, int inAddr, int inPort) {
        return paired ? a.addressFor(inAddr) : a.addressFor(inAddr * 31 + inPort);
    }

    /**
     * Names a worker's block allocator memory of a pool slot in a hand-over.
     *
     * @param worker the worker
     * @param slot the pool slot
     * @return the name
     */
    public static String blockMemoryName(int worker, int slot) {
        return HandOverFormat.blockSegment(worker, slot);
    }

    /**
     * Returns a worker's block allocator.
     *
     * @param worker the worker
     * @return the allocator only that worker uses, or null for a pool that allocates per session
     */
    public BlockAllocator blocks(int worker) {
        return blockAllocators == null ? null : blockAllocators[worker];
    }

    /** {@return the workers the pool's ports are dealt to} */
    public int allocatorCount() {
        return allocators.length;
    }

    /** {@return the deterministic formula, or null when the pool is not deterministic} */
    public DeterministicPlan plan() {
        return plan;
    }

    /** {@return whether a hand-over holds this pool's memory of worker 0} */
    public static boolean handedOver(Map<String, MemorySegment> handedOver, int slot) {
        return handedOver.containsKey(memoryName(0, slot)) || handedOver.containsKey(blockMemoryName(0, slot));
    }

    /** Returns held ports or blocks to service on a worker; allocation-free. */
    void tick(int worker, long now) {
        if (blocks) {
            blockAllocators[worker].tick(now);
        } else {
            allocators[worker].tick(now);
        }
    }

    /**
     * Takes a port out of service for a static mapping in a worker's allocator ({@link PortAllocator#reserve}).
     *
     * @return false if the worker holds no such port
     */
    public boolean reserve(int worker, int proto, int addrIndex, int port) {
        return blocks
                ? blockAllocators[worker].reserve(proto, addrIndex, port)
                : allocators[worker].reserve(proto, addrIndex, port);
    }

    /** Returns a reserved port to service in a worker's allocator. */
    public void unreserve(int worker, int proto, int addrIndex, int port) {
        if (blocks) {
            blockAllocators[worker].unreserve(proto, addrIndex, port);
        } else {
            allocators[worker].unreserve(proto, addrIndex, port);
        }
    }

    /** {@return the pairs of one address a worker owns, over the three protocols} */
    public long ownedPerAddress(int worker) {
        return blocks ? blockAllocators[worker].ownedPerAddress() : allocators[worker].ownedPerAddress();
    }

    /** {@return the pairs of one address a worker owns that are not free} */
    public long busy(int worker, int addrIndex) {
        return blocks ? blockAllocators[worker].busy(addrIndex) : allocators[worker].busy(addrIndex);
    }

    /** {@return the pairs of one address a worker owns that are held down} */
    public long held(int worker, int addrIndex) {
        if (!blocks) {
            return allocators[worker].held(addrIndex);
        }
        return 0; // blocks are held per worker, not per address: see portsHeld
    }

    /** {@return blocks hosts own over all workers, 0 per session; control plane} */
    public long blocksOwned() {
        long n = 0;
        if (blocks) {
            for (BlockAllocator b : blockAllocators) {
                n += b.blocksOwned();
            }
        }
        return n;
    }

    /**
     * Names a worker's allocator memory of a pool slot in a hand-over.
     *
     * @param worker the worker
     * @param slot the pool slot
     * @return the name
     */
    public static String memoryName(int worker, int slot) {
        return HandOverFormat.allocatorSegment(worker, slot);
    }

    /**
     * Adds the allocators' memory to a hand-over.
     *
     * @param out receives the memory by {@link #memoryName}
     */
    public void handOver(Map<String, MemorySegment> out) {
        for (int w = 0; w < allocators.length; w++) {
            if (blocks) {
                out.put(blockMemoryName(w, slot), blockAllocators[w].memory());
            } else {
                out.put(memoryName(w, slot), allocators[w].memory());
            }
        }
    }

    private static int[] flatten(PoolDefinition definition) {
        long n = definition.addressCount();
        if (n > 65536) {
            throw new IllegalArgumentException(
                    "pool " + definition.name() + ": at most 65536 addresses per pool, was " + n);
        }
        int[] out = new int[(int) n];
        int i = 0;
        for (Ipv4Range r : definition.addresses()) {
            for (long a = Integer.toUnsignedLong(r.first()); a <= Integer.toUnsignedLong(r.last()); a++) {
                out[i++] = (int) a;
            }
        }
        return out;
    }

    /** {@return the pool's slot} */
    public int slot() {
        return slot;
    }

    /** {@return the pool's definition} */
    public PoolDefinition definition() {
        return definition;
    }

    /** {@return the outside addresses, by address index; not to be modified} */
    public int[] addresses() {
        return addresses;
    }

    /** {@return who owns which port of the pool's range} */
    PortOwnership ownership() {
        return ownership;
    }

    /**
     * Returns a worker's allocator.
     *
     * @param worker the worker
     * @return the allocator only that worker uses
     */
    public PortAllocator allocator(int worker) {
        return allocators[worker];
    }

    /**
     * Lists the pairs a restart must not hand out at once, over all workers ({@link PortAllocator#visitRecent}).
     * Control plane, only while no worker runs the pool.
     *
     * @param now the time, {@link System#nanoTime()}
     * @param out receives the pairs
     */
    public void visitRecent(long now, RecentPair out) {
        for (PortAllocator a : allocators) {
            if (a != null) {
                a.visitRecent(now, out);
            }
        }
    }

    /**
     * Holds a free pair down until {@code due} on the worker that owns its port ({@link PortAllocator#holdFree});
     * before the runtime is published, in ascending order of due times.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address's index in the pool
     * @param port the port
     * @param due when it may serve again, {@link System#nanoTime()} time
     * @return whether the pair was held down
     */
    public boolean holdFree(int proto, int addrIndex, int port, long due) {
        if (blocks || port < definition.portMin() || port > definition.portMax()) {
            return false; // blocks are held per block; a restart starts them all free
        }
        return allocators[ownership.owner(port)].holdFree(proto, addrIndex, port, due);
    }

    /** {@return address-port pairs in use or held, over all workers; control plane} */
    public long portsInUse() {
        long n = 0;
        if (blocks) {
            for (BlockAllocator b : blockAllocators) {
                n += b.inUse() + b.held();
            }
        }
        for (PortAllocator a : allocators) {
            if (a != null) {
                n += a.inUse() + a.held();
            }
        }
        return n;
    }

    /** {@return address-port pairs in hold-down, over all workers; control plane} */
    public long portsHeld() {
        long n = 0;
        if (blocks) {
            for (BlockAllocator b : blockAllocators) {
                n += b.held();
            }
        }
        for (PortAllocator a : allocators) {
            if (a != null) {
                n += a.held();
            }
        }
        return n;
    }

    /** {@return all address-port pairs of the pool in service over the three protocols} */
    public long portsTotal() {
        if (blocks) {
            // the ports outside whole blocks serve nobody
            return 3L * addresses.length * ownership.blocks() * ownership.blockSize();
        }
        return 3L * addresses.length * (definition.portMax() - definition.portMin() + 1);
    }
}
