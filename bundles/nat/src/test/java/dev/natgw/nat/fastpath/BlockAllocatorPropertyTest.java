package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Ipv4;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The life of port blocks against a model: random allocate / release / tick sequences of eight inside hosts on a
 * range small enough to run out, checking that no port is in two blocks or handed out twice, that every port of a
 * host lies in a block it owns, on one address, that a host never holds more blocks than its limit, that a block
 * goes back exactly when its last port does and stays out of service for the hold-down, and that at the end every
 * block and port is free again.
 */
class BlockAllocatorPropertyTest {
    private static final int[] PROTOS = {PortAllocator.TCP, PortAllocator.UDP, PortAllocator.ICMP};
    private static final int[] ADDRESSES = {Ipv4.parse("203.0.113.1"), Ipv4.parse("203.0.113.2")};
    private static final int[] SIZES = {16, 64, 256};
    private static final long HOLD = 50;

    /** A block of the model: address index and first port. */
    record Block(int addr, int first) {
    }

    @Property(tries = 300)
    void blocksAndPortsComeBackExactlyOnce(@ForAll @IntRange(min = 0, max = 6) int setup,
            @ForAll @IntRange(min = 0, max = 3) int workerPick, @ForAll @IntRange(min = 0, max = 2) int sizePick,
            @ForAll @IntRange(min = 1, max = 3) int limit,
            @ForAll @Size(max = 500) List<@IntRange(max = 999) Integer> ops) {
        RssSetups s = RssSetups.all().get(setup);
        int n = SIZES[sizePick];
        int workers = s.workerForQueue().length == 8 ? 4 : s.workerForQueue().length;
        int min = 4 * n + 3; // not aligned: the partial block below the first whole one is nobody's
        PortOwnership own = new PortOwnership(s.toeplitz(), s.rss(), s.workerForQueue(), workers, min,
                min + 3 * n * workers + n - 1, n);
        int w = workerPick % workers;
        BlockAllocator a = new BlockAllocator(own, s.toeplitz(), w, ADDRESSES, limit, HOLD, null, Arena.ofAuto(),
                null);
        int perAddress = a.perAddress();
        assertThat(perAddress).isEqualTo(3);

        Map<Integer, List<Block>> blocksOf = new HashMap<>();
        Map<Block, Integer> ownerOf = new HashMap<>();
        Map<Block, Long> held = new HashMap<>();
        // proto index -> (block, port) -> host
        List<Map<Long, Integer>> used = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
        Map<Block, Integer> useOf = new HashMap<>();
        long now = 1_000_000;

        for (int op : ops) {
            int host = 0x0a000000 + op % 8;
            int pi = op / 8 % 3;
            int proto = PROTOS[pi];
            switch (op / 100) {
                case 0, 1, 2, 3, 4, 5 -> {
                    int port = a.allocate(proto, host, op * 7919, op * 31);
                    List<Block> mine = blocksOf.getOrDefault(host, List.of());
                    if (port < 0) {
                        if (a.lastRefusal == BlockAllocator.REFUSED_LIMIT) {
                            assertThat(mine).hasSize(limit);
                        }
                        long free = mine.stream().mapToLong(b -> n - usedIn(used.get(pi), b, n)).sum();
                        assertThat(free).as("free ports in the host's blocks").isZero();
                        continue;
                    }
                    assertThat(own.owner(port)).isEqualTo(w);
                    Block b = new Block(a.lastAddress, port & -n);
                    long key = key(b, port);
                    assertThat(used.get(pi)).as("in use").doesNotContainKey(key);
                    if (a.lastNewBlock) {
                        assertThat(ownerOf).as("a new block is nobody's").doesNotContainKey(b);
                        assertThat(held).as("a held block stays out of service").doesNotContainKey(b);
                        assertThat(mine.size()).as("under the limit").isLessThan(limit);
                        List<Block> grown = new ArrayList<>(mine);
                        grown.add(b);
                        blocksOf.put(host, grown);
                        ownerOf.put(b, host);
                    } else {
                        assertThat(ownerOf.get(b)).as("the host's own block").isEqualTo(host);
                    }
                    assertThat(blocksOf.get(host).stream().map(Block::addr).distinct()).as("one address").hasSize(1);
                    used.get(pi).put(key, host);
                    useOf.merge(b, 1, Integer::sum);
                }
                case 6, 7, 8 -> {
                    List<Long> keys = used.get(pi).keySet().stream().sorted().toList();
                    if (keys.isEmpty()) {
                        continue;
                    }
                    long key = keys.get(op % keys.size());
                    int host2 = used.get(pi).remove(key);
                    Block b = new Block((int) (key >>> 32), (int) key & -n);
                    boolean last = useOf.merge(b, -1, Integer::sum) == 0;
                    assertThat(a.release(proto, b.addr(), (int) key & 0xffff, now)).as("released the block")
                            .isEqualTo(last);
                    if (last) {
                        useOf.remove(b);
                        ownerOf.remove(b);
                        List<Block> left = new ArrayList<>(blocksOf.get(host2));
                        left.remove(b);
                        if (left.isEmpty()) {
                            blocksOf.remove(host2);
                        } else {
                            blocksOf.put(host2, left);
                        }
                        held.put(b, now + HOLD);
                        assertThat(a.releasedFirstPort).isEqualTo(b.first());
                    }
                }
                default -> {
                    now += op % 40;
                    a.tick(now);
                    long t = now;
                    held.values().removeIf(due -> due <= t);
                }
            }
            assertThat(a.blocksOwned()).isEqualTo(ownerOf.size());
            assertThat(a.blocksHeld()).isEqualTo(held.size());
            assertThat(a.inUse()).isEqualTo(used.stream().mapToLong(Map::size).sum());
        }
        for (int pi = 0; pi < 3; pi++) {
            for (long key : new ArrayList<>(used.get(pi).keySet())) {
                a.release(PROTOS[pi], (int) (key >>> 32), (int) key & 0xffff, now);
            }
        }
        a.tick(now + HOLD);
        assertThat(a.blocksOwned()).isZero();
        assertThat(a.blocksHeld()).isZero();
        assertThat(a.inUse()).isZero();
        assertThat(a.releaseErrors()).isZero();
        for (int addr = 0; addr < ADDRESSES.length; addr++) {
            assertThat(a.blocksFree(addr)).isEqualTo(perAddress);
        }
        // every block comes back whole: a host can fill one to the last port
        Set<Integer> ports = new HashSet<>();
        for (int k = 0; k < n; k++) {
            int port = a.allocate(PortAllocator.UDP, 0x0b000001, k, k);
            assertThat(port).isNotNegative();
            assertThat(ports.add(port)).isTrue();
        }
    }

    private static long key(Block b, int port) {
        return (long) b.addr() << 32 | port;
    }

    private static long usedIn(Map<Long, Integer> used, Block b, int n) {
        return used.keySet().stream().filter(k -> (int) (k >>> 32) == b.addr() && (k & 0xffff) >= b.first()
                && (k & 0xffff) < b.first() + n).count();
    }
}
