package dev.natgw.api.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RssConfigTest {
    @Test
    void symmetricDefaultRepeats6d5aAndRoundRobins() {
        RssConfig rss = RssConfig.symmetricDefault(3);

        byte[] key = rss.key();
        assertThat(key).hasSize(40);
        for (int i = 0; i < key.length; i += 2) {
            assertThat(key[i]).isEqualTo((byte) 0x6d);
            assertThat(key[i + 1]).isEqualTo((byte) 0x5a);
        }
        int[] reta = rss.redirectionTable();
        assertThat(reta).hasSize(128);
        assertThat(reta).startsWith(0, 1, 2, 0, 1, 2);
        assertThat(rss.queues()).isEqualTo(3);
    }

    @Test
    void queueForHashIndexesByLowBits() {
        RssConfig rss = RssConfig.symmetricDefault(4);

        assertThat(rss.queueForHash(0)).isZero();
        assertThat(rss.queueForHash(5)).isEqualTo(1);
        assertThat(rss.queueForHash(0xffff_ff83)).isEqualTo(3); // low 7 bits 0x03
        assertThat(rss.queueForHash(128 + 2)).isEqualTo(2);
    }

    @Test
    void copiesArraysInAndOut() {
        byte[] key = new byte[52];
        int[] reta = {0, 1};
        RssConfig rss = new RssConfig(key, reta, 2);

        key[0] = 1;
        reta[0] = 1;
        rss.key()[1] = 1;
        rss.redirectionTable()[1] = 0;

        assertThat(rss.key()).containsOnly(0);
        assertThat(rss.redirectionTable()).containsExactly(0, 1);
        assertThat(rss.key()).isNotSameAs(rss.key());
    }

    @Test
    void equalsComparesContents() {
        assertThat(RssConfig.symmetricDefault(2)).isEqualTo(RssConfig.symmetricDefault(2))
                .hasSameHashCodeAs(RssConfig.symmetricDefault(2)).isNotEqualTo(RssConfig.symmetricDefault(3));
        assertThat(RssConfig.symmetricDefault(1).toString()).contains("6d5a6d5a");
    }

    @Test
    void validatesWithFieldNames() {
        assertThatThrownBy(() -> new RssConfig(new byte[39], new int[]{0}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> new RssConfig(new byte[40], new int[3], 1)).hasMessageContaining("redirectionTable");
        assertThatThrownBy(() -> new RssConfig(new byte[40], new int[0], 1)).hasMessageContaining("redirectionTable");
        assertThatThrownBy(() -> new RssConfig(new byte[40], new int[]{0, 2}, 2))
                .hasMessageContaining("redirectionTable[1]");
        assertThatThrownBy(() -> new RssConfig(new byte[40], new int[]{0}, 0)).hasMessageContaining("queues");
        assertThatThrownBy(() -> new RssConfig(null, new int[]{0}, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> RssConfig.symmetricDefault(129)).hasMessageContaining("queues");
    }
}
