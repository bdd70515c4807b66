package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.natgw.api.dataplane.RssConfig;

class PortOwnershipTest {
    static Iterable<RssSetups> setups() {
        return RssSetups.all();
    }

    @ParameterizedTest
    @MethodSource("setups")
    void workersOwnDisjointPortsCoveringTheRange(RssSetups s) {
        PortOwnership own = s.ownership(1025, 65535);
        BitSet seen = new BitSet(65536);

        for (int w = 0; w < own.workers(); w++) {
            int owned = 0;
            for (int b = 0; b < own.retaSize(); b++) {
                for (int p : own.ownedPorts(w, b)) {
                    assertThat(seen.get(p)).as("port %d owned twice", p).isFalse();
                    seen.set(p);
                    assertThat(own.owner(p)).isEqualTo(w);
                    assertThat(own.bucket(p)).isEqualTo(b);
                    assertThat(own.portAt(w, own.localIndex(p))).isEqualTo(p);
                    owned++;
                }
            }
            assertThat(own.ownedCount(w)).isEqualTo(owned);
            // round-robin dealing: every worker within one port per bucket of an even share
            assertThat(owned).isBetween((65535 - 1025 + 1) / own.workers() - own.retaSize(),
                    (65535 - 1025 + 1) / own.workers() + own.retaSize());
        }
        assertThat(seen.nextSetBit(0)).isEqualTo(1025);
        assertThat(seen.cardinality()).isEqualTo(65535 - 1025 + 1);
    }

    @ParameterizedTest
    @MethodSource("setups")
    void everyWorkerOwnsAShareOfEveryBucket(RssSetups s) {
        PortOwnership own = s.ownership(1025, 65535);

        for (int b = 0; b < own.retaSize(); b++) {
            int size = 0;
            for (int w = 0; w < own.workers(); w++) {
                size += own.ownedCount(w, b);
            }
            for (int w = 0; w < own.workers(); w++) {
                assertThat(own.ownedCount(w, b)).isBetween(size / own.workers(), size / own.workers() + 1);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("setups")
    void portsOutsideTheRangeHaveNoOwner(RssSetups s) {
        PortOwnership own = s.ownership(2000, 3000);

        assertThat(own.owner(1999)).isEqualTo(-1);
        assertThat(own.owner(3001)).isEqualTo(-1);
        assertThat(own.owner(-5)).isEqualTo(-1);
        assertThat(own.owner(70000)).isEqualTo(-1);
        assertThat(own.owner(2000)).isBetween(0, own.workers() - 1);
        assertThat(own.owner(3000)).isBetween(0, own.workers() - 1);
    }

    @ParameterizedTest
    @MethodSource("setups")
    void bucketAndWorkerFollowToeplitzAndTheReta(RssSetups s) {
        PortOwnership own = s.ownership(1, 65535);
        Toeplitz t = s.toeplitz();

        for (int p = 0; p < 65536; p += 97) {
            assertThat(own.bucket(p)).isEqualTo(t.dstPortPart(p) & (own.retaSize() - 1));
        }
        for (int h = -100_000; h < 100_000; h += 777) {
            assertThat(own.workerForHash(h)).isEqualTo(s.workerForQueue()[s.rss().queueForHash(h)]);
        }
        int entries = 0;
        for (int w = 0; w < own.workers(); w++) {
            for (int r : own.retaEntries(w)) {
                assertThat(own.workerForHash(r)).isEqualTo(w);
                entries++;
            }
        }
        assertThat(entries).isEqualTo(own.retaSize());
    }

    @Test
    void ownerIsTheSameForEveryConstruction() {
        RssSetups s = RssSetups.all().get(2);
        PortOwnership a = s.ownership(1025, 65535);
        PortOwnership b = s.ownership(1025, 65535);

        for (int p = 0; p < 65536; p++) {
            assertThat(a.owner(p)).isEqualTo(b.owner(p));
        }
    }

    @Test
    void workerCountMayExceedTheQueues() {
        RssConfig rss = RssConfig.symmetricDefault(2);
        PortOwnership own = new PortOwnership(new Toeplitz(rss.key()), rss, new int[]{0, 1}, 3, 1025, 2048);

        assertThat(own.workers()).isEqualTo(3);
        assertThat(own.ownedCount(2)).isPositive();
        assertThat(own.retaEntries(2)).isEmpty();
    }

    @Test
    void rejectsBadArguments() {
        RssConfig rss = RssConfig.symmetricDefault(2);
        Toeplitz t = new Toeplitz(rss.key());

        assertThatThrownBy(() -> new PortOwnership(t, rss, new int[]{0}, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortOwnership(t, rss, new int[]{0, 1}, 3, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortOwnership(t, rss, new int[]{0, 1}, 1, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortOwnership(t, rss, new int[]{0, -1}, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
