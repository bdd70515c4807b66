package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.natgw.api.nat.Ipv4;

class OwnershipTest {
    @Test
    void sequentialHostsSpreadEvenlyOverFourWorkers() {
        int[] count = new int[4];
        int first = Ipv4.parse("10.0.0.0");
        for (int i = 0; i < 10_000; i++) {
            count[Ownership.home(first + i, 4)]++;
        }

        for (int c : count) {
            assertThat(c).isBetween(2375, 2625);
        }
    }

    @Test
    void homeIsInRangeForAnyAddress() {
        for (int w = 1; w <= 7; w++) {
            assertThat(Ownership.home(-1, w)).isBetween(0, w - 1);
            assertThat(Ownership.home(Integer.MIN_VALUE, w)).isBetween(0, w - 1);
            assertThat(Ownership.home(0, w)).isBetween(0, w - 1);
        }
    }

    @Test
    void pairedPoolingSpreadsOneWorkersHostsOverAllAddresses() {
        // the address choice must not follow the home worker, or each worker would use one address only
        RssSetups s = RssSetups.all().get(2);
        PortAllocator a = new PortAllocator(s.ownership(1025, 2048), s.toeplitz(), 0, new int[]{1, 2, 3, 4}, 0);
        int[] count = new int[4];
        int first = Ipv4.parse("10.0.0.0");
        int hosts = 0;
        for (int i = 0; i < 40_000; i++) {
            if (Ownership.home(first + i, 4) == 0) {
                count[a.addressFor(first + i)]++;
                hosts++;
            }
        }

        for (int c : count) {
            assertThat(c).isBetween((int) (hosts / 4 * 0.9), (int) (hosts / 4 * 1.1));
        }
        assertThat(a.addressFor(first)).isEqualTo(
                new PortAllocator(s.ownership(1025, 2048), s.toeplitz(), 1, new int[]{1, 2, 3, 4}, 0)
                        .addressFor(first));
    }
}
