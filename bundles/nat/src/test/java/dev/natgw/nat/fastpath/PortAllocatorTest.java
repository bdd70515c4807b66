package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.natgw.api.nat.Ipv4;

class PortAllocatorTest {
    static final int TCP = PortAllocator.TCP;
    static final int UDP = PortAllocator.UDP;
    static final int ICMP = PortAllocator.ICMP;
    static final int[] ADDRESSES = {Ipv4.parse("198.51.100.1"), Ipv4.parse("198.51.100.2")};
    static final long HOLD = 1_000;

    static Iterable<RssSetups> setups() {
        return RssSetups.all();
    }

    private static PortAllocator allocator(RssSetups s, int worker, int portMin, int portMax) {
        return new PortAllocator(s.ownership(portMin, portMax), s.toeplitz(), worker, ADDRESSES, HOLD);
    }

    @ParameterizedTest
    @MethodSource("setups")
    void portsOfTheAffinePhaseBringTheReturnTrafficToThisWorker(RssSetups s) {
        Random r = new Random(11);
        PortOwnership own = s.ownership(1025, 65535);
        for (int w = 0; w < own.workers(); w++) {
            PortAllocator a = new PortAllocator(own, s.toeplitz(), w, ADDRESSES, HOLD);
            int affine = 0;
            while (true) {
                int remote = r.nextInt();
                int remotePort = r.nextInt(65536);
                int addr = r.nextInt(ADDRESSES.length);
                int proto = r.nextBoolean() ? TCP : UDP;
                int port = a.allocate(proto, addr, remote, remotePort);
                if (a.affinityMisses() > 0 || port < 0) {
                    // one worker never misses: it runs out instead
                    break;
                }
                assertThat(port).isBetween(1025, 65535);
                assertThat(own.owner(port)).isEqualTo(w);
                assertThat(s.workerFor(remote, ADDRESSES[addr], remotePort, port))
                        .as("%s worker %d port %d", s, w, port)
                        .isEqualTo(w);
                affine++;
            }
            assertThat(a.affinityHits()).isEqualTo(affine);
            // with random remotes nearly the whole pool is handed out before the first miss
            assertThat(affine).as("%s worker %d", s, w).isGreaterThan(own.ownedCount(w) / 4);
        }
    }

    @ParameterizedTest
    @MethodSource("setups")
    void exhaustionReturnsMinusOneAndNothingBreaks(RssSetups s) {
        PortAllocator a = allocator(s, 0, 2000, 2299);
        int owned = s.ownership(2000, 2299).ownedCount(0);
        Set<Integer> seen = new HashSet<>();
        Random r = new Random(3);

        for (int i = 0; i < owned; i++) {
            int port = a.allocate(UDP, 1, r.nextInt(), r.nextInt(65536));
            assertThat(seen.add(port)).as("port %d twice", port).isTrue();
        }
        assertThat(a.allocate(UDP, 1, r.nextInt(), 53)).isEqualTo(-1);
        assertThat(a.allocate(UDP, 1, r.nextInt(), 53)).isEqualTo(-1);
        assertThat(a.inUse(UDP)).isEqualTo(owned);
        assertThat(a.affinityHits() + a.affinityMisses()).isEqualTo(owned);
        // the other spaces are untouched
        assertThat(a.allocate(UDP, 0, 1, 53)).isNotNegative();
        assertThat(a.allocate(TCP, 1, 1, 80)).isNotNegative();
        assertThat(a.allocate(ICMP, 1, 1, 0)).isNotNegative();

        int back = seen.iterator().next();
        a.release(UDP, 1, back, 0);
        a.tick(HOLD);
        assertThat(a.allocate(UDP, 1, 5, 53)).isEqualTo(back);
        assertThat(a.releaseErrors()).isZero();
    }

    @Test
    void icmpIdentifiersComeFromTheOwnedRange() {
        RssSetups s = RssSetups.all().get(2);
        PortOwnership own = s.ownership(1, 65535);
        PortAllocator a = new PortAllocator(own, s.toeplitz(), 3, ADDRESSES, HOLD);
        for (int i = 0; i < own.ownedCount(3); i++) {
            assertThat(own.owner(a.allocate(ICMP, 0, 7, 0))).isEqualTo(3);
        }
        assertThat(a.allocate(ICMP, 0, 7, 0)).isEqualTo(-1);
        assertThat(a.affinityHits() + a.affinityMisses()).isZero();
    }

    @Test
    void releasedPortsWaitOutTheHoldDown() {
        RssSetups s = RssSetups.all().get(1);
        PortAllocator a = allocator(s, 1, 3000, 3099);
        long now = 5_000;
        int p = a.allocate(TCP, 0, 1, 80);
        a.release(TCP, 0, p, now);

        assertThat(a.held()).isEqualTo(1);
        assertThat(a.inUse()).isZero();
        while (true) {
            int q = a.allocate(TCP, 0, 1, 80);
            if (q < 0) {
                break;
            }
            assertThat(q).isNotEqualTo(p);
        }
        a.tick(now + HOLD - 1);
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(-1);
        assertThat(a.held()).isEqualTo(1);
        a.tick(now + HOLD);
        assertThat(a.held()).isZero();
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(p);
    }

    @Test
    void aFullHoldDownFifoFreesItsOldestEarly() {
        RssSetups s = RssSetups.all().get(0);
        PortAllocator a = new PortAllocator(s.ownership(3000, 3009), s.toeplitz(), 0, ADDRESSES, HOLD, 2);
        int[] p = new int[3];
        for (int i = 0; i < 3; i++) {
            p[i] = a.allocate(UDP, 0, 1, 53);
        }
        for (int i = 0; i < 3; i++) {
            a.release(UDP, 0, p[i], i);
        }

        assertThat(a.held()).isEqualTo(2);
        assertThat(a.holdCutShort()).isEqualTo(1);
        assertThat(a.free()).isEqualTo(a.total() - 2);
        a.tick(HOLD + 2);
        assertThat(a.free()).isEqualTo(a.total());
    }

    @Test
    void zeroHoldDownFreesAtOnce() {
        RssSetups s = RssSetups.all().get(0);
        PortAllocator a = new PortAllocator(s.ownership(3000, 3000), s.toeplitz(), 0, ADDRESSES, 0);
        int p = a.allocate(UDP, 0, 1, 53);
        a.release(UDP, 0, p, 0);

        assertThat(a.held()).isZero();
        assertThat(a.allocate(UDP, 0, 1, 53)).isEqualTo(p);
    }

    @Test
    void releasingAPortNotInUseIsCountedAndIgnored() {
        RssSetups s = RssSetups.all().get(1);
        PortOwnership own = s.ownership(3000, 3099);
        PortAllocator a = new PortAllocator(own, s.toeplitz(), 0, ADDRESSES, HOLD);
        int p = a.allocate(TCP, 0, 1, 80);
        int notOwned = 3000;
        while (own.owner(notOwned) == 0) {
            notOwned++;
        }

        a.release(TCP, 0, p, 0);
        a.release(TCP, 0, p, 0);
        a.release(TCP, 1, p, 0);
        a.release(UDP, 0, p, 0);
        a.release(TCP, 0, notOwned, 0);
        a.release(TCP, 0, 2999, 0);
        a.release(47, 0, p, 0);
        a.release(TCP, 7, p, 0);

        assertThat(a.releaseErrors()).isEqualTo(7);
        assertThat(a.held()).isEqualTo(1);
        a.tick(HOLD);
        assertThat(a.free()).isEqualTo(a.total());
        assertThat(a.inUse()).isZero();
    }

    @Test
    void reservedPortsAreNotHandedOut() {
        RssSetups s = RssSetups.all().get(0);
        PortOwnership own = s.ownership(4000, 4009);
        PortAllocator a = new PortAllocator(own, s.toeplitz(), 0, ADDRESSES, HOLD);

        assertThat(a.reserve(UDP, 0, 4005)).isTrue();
        assertThat(a.reserve(UDP, 0, 4005)).isTrue();
        assertThat(a.reserve(UDP, 0, 3999)).isFalse();
        assertThat(a.reserved()).isEqualTo(1);
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            got.add(a.allocate(UDP, 0, i, 53));
        }
        assertThat(got).doesNotContain(4005).contains(-1).hasSize(10);
        assertThat(a.allocate(UDP, 1, 1, 53)).isNotNegative();

        a.unreserve(UDP, 0, 4005);
        assertThat(a.allocate(UDP, 0, 1, 53)).isEqualTo(4005);
    }

    @Test
    void aReservedPortInUseDoesNotReturnToServiceWhenReleased() {
        RssSetups s = RssSetups.all().get(0);
        PortAllocator a = new PortAllocator(s.ownership(4000, 4001), s.toeplitz(), 0, ADDRESSES, HOLD);
        int p = a.allocate(TCP, 0, 1, 80);
        int q = a.allocate(TCP, 0, 1, 80);

        assertThat(a.reserve(TCP, 0, p)).isTrue();
        assertThat(a.reserve(TCP, 0, q)).isTrue();
        a.release(TCP, 0, p, 0);
        a.release(TCP, 0, q, 0);
        a.tick(HOLD);
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(-1);
        assertThat(a.free()).isEqualTo(a.total() - 2);

        a.unreserve(TCP, 0, p);
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(p);
        // unreserving a held port lets the hold-down run its course
        a.unreserve(TCP, 0, q);
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(q);
    }

    @Test
    void aHeldPortReservedStaysOutOfService() {
        RssSetups s = RssSetups.all().get(0);
        PortAllocator a = new PortAllocator(s.ownership(4000, 4000), s.toeplitz(), 0, ADDRESSES, HOLD);
        int p = a.allocate(TCP, 0, 1, 80);
        a.release(TCP, 0, p, 0);

        assertThat(a.reserve(TCP, 0, p)).isTrue();
        a.tick(HOLD);
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(-1);
        a.unreserve(TCP, 0, p);
        assertThat(a.allocate(TCP, 0, 1, 80)).isEqualTo(p);
    }

    @Test
    void reserveRefusesPortsOfOtherWorkers() {
        RssSetups s = RssSetups.all().get(2);
        PortOwnership own = s.ownership(4000, 4100);
        PortAllocator a = new PortAllocator(own, s.toeplitz(), 1, ADDRESSES, HOLD);

        for (int p = 4000; p <= 4100; p++) {
            assertThat(a.reserve(UDP, 0, p)).isEqualTo(own.owner(p) == 1);
        }
        assertThat(a.reserve(99, 0, 4000)).isFalse();
        assertThat(a.free()).isEqualTo(a.total() - a.reserved());
    }

    @ParameterizedTest
    @MethodSource("setups")
    void sharedCandidatesAreInUseOwnedAndAffine(RssSetups s) {
        Random r = new Random(5);
        PortOwnership own = s.ownership(5000, 6999);
        int w = own.workers() - 1;
        PortAllocator a = new PortAllocator(own, s.toeplitz(), w, ADDRESSES, HOLD);
        Set<Integer> inUse = new HashSet<>();
        for (int i = 0; i < own.ownedCount(w) / 2; i++) {
            inUse.add(a.allocate(UDP, 0, r.nextInt(), r.nextInt(65536)));
        }
        int remote = r.nextInt();
        int remotePort = 443;
        int expected = 0;
        for (int p : inUse) {
            if (s.workerFor(remote, ADDRESSES[0], remotePort, p) == w) {
                expected++;
            }
        }

        Set<Integer> candidates = new HashSet<>();
        for (int attempt = 0;; attempt++) {
            int p = a.allocateShared(UDP, 0, remote, remotePort, attempt);
            if (p < 0) {
                break;
            }
            assertThat(inUse).contains(p);
            assertThat(s.workerFor(remote, ADDRESSES[0], remotePort, p)).isEqualTo(w);
            assertThat(candidates.add(p)).isTrue();
        }
        assertThat(candidates).hasSize(expected);
        // jumping straight to a later attempt gives the same candidate as walking there
        if (expected > 2) {
            int third = a.allocateShared(UDP, 0, remote, remotePort, 2);
            a.allocateShared(UDP, 0, remote, remotePort, 0);
            a.allocateShared(UDP, 0, remote, remotePort, 1);
            assertThat(a.allocateShared(UDP, 0, remote, remotePort, 2)).isEqualTo(third);
        }
        assertThat(a.allocateShared(TCP, 0, remote, remotePort, 0)).isEqualTo(-1);
    }

    @Test
    void sharedPortsNeedEveryUserReleased() {
        RssSetups s = RssSetups.all().get(0);
        PortAllocator a = new PortAllocator(s.ownership(5000, 5000), s.toeplitz(), 0, ADDRESSES, HOLD);
        int p = a.allocate(UDP, 0, 1, 53);

        assertThat(a.allocateShared(UDP, 0, 2, 53, 0)).isEqualTo(p);
        assertThat(a.share(UDP, 0, p)).isTrue();
        assertThat(a.share(UDP, 1, p)).isFalse();
        a.release(UDP, 0, p, 0);
        assertThat(a.inUse()).isEqualTo(1);
        a.release(UDP, 0, p, 0);
        assertThat(a.inUse()).isZero();
        assertThat(a.held()).isEqualTo(1);
        assertThat(a.share(UDP, 0, p)).isFalse();
        assertThat(a.allocateShared(UDP, 0, 2, 53, 0)).isEqualTo(-1);
    }

    @Test
    void aSaturatedPortIsNoCandidate() {
        RssSetups s = RssSetups.all().get(0);
        PortAllocator a = new PortAllocator(s.ownership(5000, 5000), s.toeplitz(), 0, ADDRESSES, HOLD);
        int p = a.allocate(UDP, 0, 1, 53);
        for (int i = 1; i < PortAllocator.MAX_REFCOUNT; i++) {
            assertThat(a.share(UDP, 0, p)).isTrue();
        }

        assertThat(a.share(UDP, 0, p)).isFalse();
        assertThat(a.allocateShared(UDP, 0, 2, 53, 0)).isEqualTo(-1);
    }

    @Test
    void reportsItsMemory() {
        RssSetups s = RssSetups.all().get(2);
        PortOwnership own = s.ownership(1025, 65535);
        PortAllocator a = new PortAllocator(own, s.toeplitz(), 0, ADDRESSES, HOLD, 1024);

        assertThat(a.total()).isEqualTo(3L * ADDRESSES.length * own.ownedCount(0));
        // about 4.25 bytes per pair, plus the FIFO and small per-bucket tables
        assertThat(a.bytes()).isBetween(4 * a.total(), 5 * a.total() + 12 * 1024 + 64 * 1024);
    }

    @Test
    void xorPermuteMovesEveryBitToItsXorPartner() {
        Random r = new Random(1);
        for (int i = 0; i < 1000; i++) {
            long x = r.nextLong();
            int s = r.nextInt(64);
            long y = FreeStacks.xorPermute(x, s);
            for (int j = 0; j < 64; j++) {
                assertThat(y >>> j & 1).isEqualTo(x >>> (j ^ s) & 1);
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        RssSetups s = RssSetups.all().get(1);
        PortOwnership own = s.ownership(1025, 2048);
        Toeplitz t = s.toeplitz();

        assertThatThrownBy(() -> new PortAllocator(own, t, 2, ADDRESSES, HOLD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortAllocator(own, t, 0, new int[0], HOLD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortAllocator(own, t, 0, ADDRESSES, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortAllocator(own, t, 0, ADDRESSES, HOLD, 0))
                .isInstanceOf(IllegalArgumentException.class);
        PortAllocator a = new PortAllocator(own, t, 0, ADDRESSES, HOLD);
        assertThat(a.allocate(47, 0, 1, 1)).isEqualTo(-1);
        assertThat(a.allocate(TCP, 2, 1, 1)).isEqualTo(-1);
        assertThat(a.allocate(TCP, -1, 1, 1)).isEqualTo(-1);
    }
}
