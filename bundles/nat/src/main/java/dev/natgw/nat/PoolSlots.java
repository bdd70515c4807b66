package dev.natgw.nat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.DeterministicMapping;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.nat.fastpath.Ownership;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.nat.fastpath.NatSnapshot;
import dev.natgw.nat.fastpath.PoolRuntime;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.internal.NatSettings;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pool slots of the attached engine: a pool's runtime (its allocators per worker) lives in a slot that the
 * sessions name in their mapping records, so a slot is never reused while the engine lives; a pool removed and
 * added again unchanged gets its retired slot back, so no second allocator hands out the same ports. Slot
 * {@link NatSnapshot#STATIC_SLOT} is the static mappings'. Control plane only, under the manager's lock.
 */
final class PoolSlots {
    private final NatManager m;
    /** The runtimes by slot while an engine is attached, else null. */
    PoolRuntime[] slots;
    /** The slot of each active pool, by name. */
    final Map<String, Integer> slotOf = new HashMap<>();
    int nextSlot;

    PoolSlots(NatManager m) {
        this.m = m;
    }

    /**
     * {@return the pools' addresses as unsigned inclusive pairs {@code [first0, last0, first1, last1, ...]}, the
     * form the dataplane's ARP claim takes}
     */
    static int[] addressRanges(List<PoolDefinition> pools) {
        int n = 0;
        for (PoolDefinition p : pools) {
            n += p.addresses().size();
        }
        int[] out = new int[2 * n];
        int k = 0;
        for (PoolDefinition p : pools) {
            for (Ipv4Range r : p.addresses()) {
                out[k++] = r.first();
                out[k++] = r.last();
            }
        }
        return out;
    }

    /** {@return the newest slot whose runtime has exactly this definition and serves no active pool, or -1} */
    int retiredSlot(PoolDefinition p) {
        for (int i = nextSlot - 1; i >= 0; i--) {
            if (slots[i] != null && slots[i].definition().equals(p) && !servesActivePool(i)) {
                return i;
            }
        }
        return -1;
    }

    private boolean servesActivePool(int slot) {
        for (String name : m.pools.keySet()) {
            Integer at = slotOf.get(name);
            if (at != null && at == slot) {
                return true;
            }
        }
        return false;
    }

    /** Builds a pool's runtime, reserving the ports of static mappings on its addresses; under the lock. */
    void addRuntime(PoolDefinition p) {
        addRuntime(p, Map.of());
    }

    /**
     * Builds a pool's runtime on handed-over allocators where there are some (whose static ports are reserved
     * already, and which the previous translator may still be using, so they are not written here); under the lock.
     */
    void addRuntime(PoolDefinition p, Map<String, MemorySegment> handedOver) {
        if (nextSlot >= NatSnapshot.MAX_POOLS) {
            throw new IllegalArgumentException("pool " + p.name() + ": " + NatSnapshot.MAX_POOLS
                    + " pools were added since the dataplane attached the translator; no slot is left");
        }
        NatSettings s = m.settings;
        PoolRuntime r = new PoolRuntime(nextSlot, p, m.engine, s.holdDown().toNanos(),
                Math.max(1024, s.holdCapacity() / m.engine.workers()), handedOver);
        // not yet published, so the control thread may still touch new allocators directly
        for (StaticMapping sm : PoolRuntime.handedOver(handedOver, nextSlot)
                ? List.<StaticMapping>of()
                : m.statics) {
            int addrIndex = addressIndex(p, sm.global().address());
            if (addrIndex >= 0) {
                for (int w = 0; w < m.engine.workers(); w++) {
                    r.reserve(w, sm.protocol().number(), addrIndex, sm.global().port());
                }
            }
        }
        if (handedOver.isEmpty()) {
            m.restartHolds.apply(r);
        }
        slots[nextSlot] = r;
        slotOf.put(p.name(), nextSlot);
        nextSlot++;
    }

    static int addressIndex(PoolDefinition p, int address) {
        int base = 0;
        for (var range : p.addresses()) {
            if (range.contains(address)) {
                return base + (int) (Integer.toUnsignedLong(address) - Integer.toUnsignedLong(range.first()));
            }
            base += (int) range.size();
        }
        return -1;
    }

    String[] names() {
        synchronized (m.lock) {
            String[] names = new String[NatSnapshot.MAX_POOLS + 1];
            if (slots != null) {
                for (int i = 0; i < slots.length; i++) {
                    if (slots[i] != null) {
                        names[i] = slots[i].definition().name();
                    }
                }
            }
            return names;
        }
    }

    /** {@return the active pools' usage, as {@code NatService.poolUsage} gives it} */
    List<PoolUsage> poolUsage() {
        synchronized (m.lock) {
            List<PoolUsage> out = new ArrayList<>();
            for (PoolDefinition p : m.pools.values()) {
                PoolRuntime r = m.engine == null ? null : slots[slotOf.get(p.name())];
                long total = r == null ? 3L * p.addressCount() * (p.portMax() - p.portMin() + 1) : r.portsTotal();
                long inUse = r == null ? 0 : Math.min(total, r.portsInUse());
                // read after inUse: a pair leaving hold-down then lowers both, so held stays within inUse
                long held = r == null ? 0 : Math.min(inUse, r.portsHeld());
                long[] bySlot = new long[3];
                if (r != null) {
                    for (int w = 0; w < m.engine.workers(); w++) {
                        for (int k = 0; k < 3; k++) {
                            bySlot[k] += m.engine.worker(w).counter(CounterIndex.POOLS + 3 * r.slot() + k);
                        }
                    }
                }
                out.add(new PoolUsage(p.name(), p.addressCount(), total, inUse, Math.max(0, bySlot[0]),
                        Math.max(0, bySlot[1]), Math.max(0, bySlot[2]), held, r == null ? 0 : r.blocksOwned()));
            }
            return out;
        }
    }

    /** {@return a pool's ports per address and worker, as {@code NatService.portUsage} gives them} */
    List<PortUsage> portUsage(String pool) {
        synchronized (m.lock) {
            Integer slot = slotOf.get(pool);
            List<PortUsage> out = new ArrayList<>();
            if (m.engine == null || slot == null || !m.pools.containsKey(pool)) {
                return out;
            }
            PoolRuntime r = slots[slot];
            int[] addrs = r.addresses();
            for (int a = 0; a < addrs.length; a++) {
                for (int w = 0; w < m.engine.workers(); w++) {
                    long total = r.ownedPerAddress(w);
                    long busy = Math.min(total, r.busy(w, a));
                    out.add(new PortUsage(pool, addrs[a], w, total, busy, Math.min(busy, r.held(w, a))));
                }
            }
            return out;
        }
    }

    /** {@return the blocks of the active deterministic pools holding an outside address and port} */
    List<DeterministicMapping> deterministicLookup(int outside, int port) {
        synchronized (m.lock) {
            List<DeterministicMapping> out = new ArrayList<>();
            for (PoolDefinition p : m.pools.values()) {
                PoolRuntime r = runtime(p);
                int a = addressIndex(p, outside);
                if (r == null || r.plan() == null || a < 0) {
                    continue;
                }
                long s = r.plan().subscriberOf(a, port);
                if (s >= 0) {
                    out.add(block(p, r, (int) s));
                }
            }
            return out;
        }
    }

    /** {@return the blocks the active deterministic pools give an inside address} */
    List<DeterministicMapping> deterministicBlock(int inside) {
        synchronized (m.lock) {
            List<DeterministicMapping> out = new ArrayList<>();
            for (PoolDefinition p : m.pools.values()) {
                PoolRuntime r = runtime(p);
                if (r != null && r.plan() != null && r.plan().blockOf(inside) >= 0) {
                    out.add(block(p, r, inside));
                }
            }
            return out;
        }
    }

    private PoolRuntime runtime(PoolDefinition p) {
        Integer slot = slotOf.get(p.name());
        return m.engine == null || slot == null ? null : slots[slot];
    }

    private static DeterministicMapping block(PoolDefinition p, PoolRuntime r, int inside) {
        long b = r.plan().blockOf(inside);
        int first = (int) b & 0xffff;
        return new DeterministicMapping(p.name(), inside, r.addresses()[(int) (b >>> 32)], first,
                first + p.allocation().blockSize() - 1, Ownership.home(inside, r.allocatorCount()));
    }
}
