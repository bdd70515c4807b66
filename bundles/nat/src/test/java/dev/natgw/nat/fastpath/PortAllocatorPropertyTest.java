package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.natgw.api.nat.Ipv4;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Every port handed out returns exactly once: random allocate / share / release / tick sequences
 * against a model that keeps, per protocol and address, the refcount of each port in use and the
 * due time of each held port.
 */
class PortAllocatorPropertyTest {
    private static final int[] PROTOS = {PortAllocator.TCP, PortAllocator.UDP, PortAllocator.ICMP};
    private static final int[] ADDRESSES = {Ipv4.parse("203.0.113.1"), Ipv4.parse("203.0.113.2")};
    private static final long HOLD = 50;

    @Property(tries = 300)
    void everyPortHandedOutReturnsExactlyOnce(@ForAll @IntRange(min = 0, max = 6) int setup,
            @ForAll @IntRange(min = 0, max = 3) int workerPick,
            @ForAll @Size(max = 600) List<@IntRange(max = 999) Integer> ops) {
        RssSetups s = RssSetups.all().get(setup);
        // a small range, so the sequences reach exhaustion
        PortOwnership own = s.ownership(7000, 7000 + 20 * s.workerForQueue().length);
        int w = workerPick % own.workers();
        PortAllocator a = new PortAllocator(own, s.toeplitz(), w, ADDRESSES, HOLD);
        int perSpace = own.ownedCount(w);
        // key: proto index * addresses + address -> port -> refcount / due time
        List<Map<Integer, Integer>> inUse = new ArrayList<>();
        List<Map<Integer, Long>> held = new ArrayList<>();
        for (int g = 0; g < 3 * ADDRESSES.length; g++) {
            inUse.add(new HashMap<>());
            held.add(new HashMap<>());
        }
        long now = 1_000_000;

        for (int op : ops) {
            int g = op % (3 * ADDRESSES.length);
            int proto = PROTOS[g / ADDRESSES.length];
            int addr = g % ADDRESSES.length;
            Map<Integer, Integer> used = inUse.get(g);
            switch (op / 100) {
                case 0, 1, 2, 3, 4 -> {
                    int port = a.allocate(proto, addr, op * 7919, op * 31);
                    if (port < 0) {
                        assertThat(used.size() + held.get(g).size()).as("free ports left").isEqualTo(perSpace);
                    } else {
                        assertThat(own.owner(port)).isEqualTo(w);
                        assertThat(used).as("in use").doesNotContainKey(port);
                        assertThat(held.get(g)).as("held").doesNotContainKey(port);
                        used.put(port, 1);
                    }
                }
                case 5 -> {
                    int port = a.allocateShared(proto, addr, op * 7919, op * 31, 0);
                    if (port >= 0) {
                        assertThat(used).containsKey(port);
                        assertThat(a.share(proto, addr, port)).isTrue();
                        used.merge(port, 1, Integer::sum);
                    }
                }
                case 6, 7, 8 -> {
                    if (!used.isEmpty()) {
                        int port = used.keySet().stream().sorted().toList().get(op % used.size());
                        a.release(proto, addr, port, now);
                        if (used.merge(port, -1, Integer::sum) == 0) {
                            used.remove(port);
                            held.get(g).put(port, now + HOLD);
                        }
                    }
                }
                default -> {
                    now += op % 40;
                    a.tick(now);
                    long t = now;
                    held.forEach(h -> h.values().removeIf(due -> due <= t));
                }
            }
            long modelInUse = inUse.stream().mapToLong(Map::size).sum();
            long modelHeld = held.stream().mapToLong(Map::size).sum();
            assertThat(a.inUse()).isEqualTo(modelInUse);
            assertThat(a.held()).isEqualTo(modelHeld);
            assertThat(a.free() + a.inUse() + a.held()).isEqualTo(a.total());
            for (int ai = 0; ai < ADDRESSES.length; ai++) {
                long modelHeldHere = 0;
                for (int pi = 0; pi < PROTOS.length; pi++) {
                    modelHeldHere += held.get(pi * ADDRESSES.length + ai).size();
                }
                assertThat(a.held(ai)).as("held on address %d", ai).isEqualTo(modelHeldHere);
                assertThat(a.held(ai)).isLessThanOrEqualTo(a.busy(ai));
            }
        }

        for (int g = 0; g < inUse.size(); g++) {
            int proto = PROTOS[g / ADDRESSES.length];
            int addr = g % ADDRESSES.length;
            for (Map.Entry<Integer, Integer> e : inUse.get(g).entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    a.release(proto, addr, e.getKey(), now);
                }
            }
        }
        a.tick(now + HOLD);
        assertThat(a.inUse()).isZero();
        assertThat(a.held()).isZero();
        assertThat(a.free()).isEqualTo(a.total());
        assertThat(a.releaseErrors()).isZero();
        assertThat(a.holdCutShort()).isZero();
        // and each space hands out each owned port exactly once more
        for (int g = 0; g < 3 * ADDRESSES.length; g++) {
            Set<Integer> again = new HashSet<>();
            int port;
            while ((port = a.allocate(PROTOS[g / ADDRESSES.length], g % ADDRESSES.length, g, g)) >= 0) {
                assertThat(again.add(port)).isTrue();
            }
            assertThat(again).hasSize(perSpace);
        }
    }

    /**
     * Bursts that take ports ahead ({@link PortAllocator#takeAhead}), then use some of them, allocate and release
     * others directly, and give the rest back: a port taken ahead is never handed out by anything else while its
     * ticket is open, is handed out at most once, and every port given back is free again; the counts add up to the
     * total at every step, counting the open tickets as taken.
     */
    @Property(tries = 300)
    void portsTakenAheadAreNeverLostOrHandedOutTwice(@ForAll @IntRange(min = 0, max = 6) int setup,
            @ForAll @IntRange(min = 0, max = 3) int workerPick,
            @ForAll @Size(max = 60) List<@Size(max = 40) List<@IntRange(max = 999) Integer>> bursts) {
        RssSetups s = RssSetups.all().get(setup);
        PortOwnership own = s.ownership(7000, 7000 + 20 * s.workerForQueue().length);
        int w = workerPick % own.workers();
        PortAllocator a = new PortAllocator(own, s.toeplitz(), w, ADDRESSES, 0);
        int perSpace = own.ownedCount(w);
        int groups = 3 * ADDRESSES.length;
        // per group: the ports in use (one user each) and the ports taken ahead with an open ticket
        List<Set<Integer>> used = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            used.add(new HashSet<>());
        }
        long affine = 0;
        for (List<Integer> ops : bursts) {
            // the lookup pass: tickets for some flows, their ports read before anything is pushed back
            Map<Integer, long[]> tickets = new HashMap<>();
            List<int[]> open = new ArrayList<>();
            for (int op : ops) {
                if (op % 3 != 0) {
                    continue;
                }
                int g = op % groups;
                int proto = PROTOS[g / ADDRESSES.length];
                int addr = g % ADDRESSES.length;
                long t = a.takeAhead(proto, addr, op * 7919, op * 31);
                if (t < 0) {
                    assertThat(used.get(g).size() + takenIn(open, g)).as("free ports left").isEqualTo(perSpace);
                    continue;
                }
                open.add(new int[]{g, -1});
                tickets.put(open.size() - 1, new long[]{t});
            }
            for (int k = 0; k < open.size(); k++) {
                int[] o = open.get(k);
                o[1] = a.portAhead(tickets.get(k)[0]);
                assertThat(own.owner(o[1])).isEqualTo(w);
                assertThat(used.get(o[0])).as("in use").doesNotContain(o[1]);
                for (int j = 0; j < k; j++) {
                    assertThat(open.get(j)[0] == o[0] && open.get(j)[1] == o[1]).as("taken twice").isFalse();
                }
            }
            // the paths: use tickets, allocate and release directly
            for (int op : ops) {
                int g = op % groups;
                int proto = PROTOS[g / ADDRESSES.length];
                int addr = g % ADDRESSES.length;
                switch (op / 250) {
                    case 0 -> {
                        int k = op % Math.max(1, open.size());
                        if (k < open.size() && open.get(k)[0] >= 0) {
                            int[] o = open.get(k);
                            a.useAhead(PROTOS[o[0] / ADDRESSES.length], o[0] % ADDRESSES.length,
                                    tickets.get(k)[0], o[1]);
                            assertThat(used.get(o[0]).add(o[1])).isTrue();
                            affine += o[0] / ADDRESSES.length == 2 ? 0 : 1;
                            o[0] = -1;
                        }
                    }
                    case 1, 2 -> {
                        int port = a.allocate(proto, addr, op * 7919, op * 31);
                        if (port < 0) {
                            assertThat(used.get(g).size() + takenIn(open, g)).isEqualTo(perSpace);
                        } else {
                            assertThat(used.get(g).add(port)).as("handed out twice").isTrue();
                            assertThat(isOpen(open, g, port)).as("taken ahead and handed out").isFalse();
                            affine += proto == PortAllocator.ICMP ? 0 : 1;
                        }
                    }
                    default -> {
                        if (!used.get(g).isEmpty()) {
                            int port = used.get(g).stream().sorted().toList().get(op % used.get(g).size());
                            a.release(proto, addr, port, 0);
                            used.get(g).remove(port);
                        }
                    }
                }
                assertCounts(a, used, open);
                // only a port put in use counts as an affinity hit or miss, not one taken ahead
                assertThat(a.affinityHits() + a.affinityMisses()).isEqualTo(affine);
            }
            // the end of the burst: the unused go back
            for (int k = open.size() - 1; k >= 0; k--) {
                int[] o = open.get(k);
                if (o[0] >= 0) {
                    a.giveBack(PROTOS[o[0] / ADDRESSES.length], o[0] % ADDRESSES.length, o[1]);
                    o[0] = -1;
                }
            }
            assertCounts(a, used, open);
        }
        for (int g = 0; g < groups; g++) {
            for (int port : used.get(g)) {
                a.release(PROTOS[g / ADDRESSES.length], g % ADDRESSES.length, port, 0);
            }
        }
        assertThat(a.free()).isEqualTo(a.total());
        assertThat(a.releaseErrors()).isZero();
        for (int g = 0; g < groups; g++) {
            Set<Integer> again = new HashSet<>();
            int port;
            while ((port = a.allocate(PROTOS[g / ADDRESSES.length], g % ADDRESSES.length, g, g)) >= 0) {
                assertThat(again.add(port)).isTrue();
            }
            assertThat(again).hasSize(perSpace);
        }
    }

    private static int takenIn(List<int[]> open, int g) {
        return (int) open.stream().filter(o -> o[0] == g).count();
    }

    private static boolean isOpen(List<int[]> open, int g, int port) {
        return open.stream().anyMatch(o -> o[0] == g && o[1] == port);
    }

    private static void assertCounts(PortAllocator a, List<Set<Integer>> used, List<int[]> open) {
        long inUse = used.stream().mapToLong(Set::size).sum();
        long taken = open.stream().filter(o -> o[0] >= 0).count();
        assertThat(a.inUse()).isEqualTo(inUse);
        assertThat(a.free() + a.inUse() + taken).isEqualTo(a.total());
    }
}
