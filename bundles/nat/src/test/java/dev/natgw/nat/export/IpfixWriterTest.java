package dev.natgw.nat.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpfixWriterTest {
    private static final int IN = 0xC6120002; // 198.18.0.2
    private static final int OUT = 0xC6130001; // 198.19.0.1

    @Test
    void numbersAreThoseOfTheIanaRegistryAndRfc8158() {
        // pinned: collectors decode these; changing one is a format change
        assertThat(new int[]{IpfixFormat.IE_PROTOCOL, IpfixFormat.IE_SOURCE_PORT, IpfixFormat.IE_SOURCE_IPV4,
                IpfixFormat.IE_POST_NAT_SOURCE_IPV4, IpfixFormat.IE_POST_NAPT_SOURCE_PORT, IpfixFormat.IE_NAT_EVENT,
                IpfixFormat.IE_NAT_POOL_ID, IpfixFormat.IE_NAT_POOL_NAME, IpfixFormat.IE_OBSERVATION_TIME_MS,
                IpfixFormat.IE_PORT_RANGE_START, IpfixFormat.IE_PORT_RANGE_END, IpfixFormat.IE_PORT_RANGE_STEP,
                IpfixFormat.IE_PORT_RANGE_PORTS, IpfixFormat.IE_NAT_QUOTA_EXCEEDED_EVENT})
                .containsExactly(4, 7, 8, 225, 227, 230, 283, 284, 323, 361, 362, 363, 364, 466);
        assertThat(new int[]{IpfixFormat.NAT44_SESSION_CREATE, IpfixFormat.NAT44_SESSION_DELETE,
                IpfixFormat.NAT_ADDRESSES_EXHAUSTED, IpfixFormat.QUOTA_EXCEEDED, IpfixFormat.PORT_BLOCK_ALLOCATION,
                IpfixFormat.PORT_BLOCK_DEALLOCATION, IpfixFormat.QUOTA_MAX_ENTRIES_PER_USER})
                .containsExactly(1, 2, 3, 11, 14, 15, 3);
        assertThat(IpfixFormat.TEMPLATES).containsExactly(256, 257, 258, 259);
    }

    @Test
    void recordsDecodeWithTheTemplatesSentBeforeThem() {
        IpfixWriter w = new IpfixWriter(1400);
        w.begin(1_800_000_000L, 42);
        w.templates();
        assertThat(w.session(true, 1_800_000_000_123L, 17, IN, 5000, OUT, 1025, 3, "public")).isTrue();
        assertThat(w.session(false, 1_800_000_000_124L, 6, IN, 5001, OUT, 1026, 3, "public")).isTrue();
        assertThat(w.refused(false, 1_800_000_000_125L, 17, IN, 5002, 3, "public")).isTrue();
        assertThat(w.refused(true, 1_800_000_000_126L, 1, IN, 7, 3, null)).isTrue();
        assertThat(w.portBlock(true, 1_800_000_000_127L, IN, OUT, 2048, 2111, 1, 64, 3, "public")).isTrue();
        assertThat(w.records()).isEqualTo(5);
        ByteBuffer m = w.finish();
        IpfixWriter.sequence(m, 77);

        IpfixDecoder d = new IpfixDecoder();
        d.read(m);
        assertThat(d.lastSequence).isEqualTo(77);
        assertThat(d.lastDomain).isEqualTo(42);
        assertThat(d.templates).containsOnlyKeys(256, 257, 258, 259);
        assertThat(d.records).hasSize(5);
        assertThat(d.recordTemplates).containsExactly(256, 256, 257, 258, 259);
        assertThat(d.records.get(0)).containsExactlyEntriesOf(ordered(323, 1_800_000_000_123L, 230, 1L, 4, 17L, 8,
                0xC6120002L, 7, 5000L, 225, 0xC6130001L, 227, 1025L, 283, 3L, 284, "public"));
        assertThat(d.records.get(1)).containsEntry(230, 2L).containsEntry(4, 6L).containsEntry(227, 1026L);
        assertThat(d.records.get(2)).containsEntry(230, 3L).containsEntry(7, 5002L).doesNotContainKey(225);
        assertThat(d.records.get(3)).containsEntry(230, 11L).containsEntry(466, 3L).containsEntry(284, "");
        assertThat(d.records.get(4)).containsEntry(230, 14L).containsEntry(361, 2048L).containsEntry(362, 2111L)
                .containsEntry(364, 64L);
    }

    @Test
    void aFullMessageRefusesTheRecordAndNeverExceedsItsSize() {
        IpfixWriter w = new IpfixWriter(256);
        IpfixDecoder d = new IpfixDecoder();
        w.begin(1, 1);
        w.templates();
        d.read(w.finish());
        int total = 0;
        for (int round = 0; round < 5; round++) {
            w.begin(1, 1);
            int n = 0;
            while (w.session(true, 1, 17, IN, n, OUT, n, 0, "a-pool-name-of-thirty-two-chars0")) {
                n++;
            }
            assertThat(n).isPositive();
            ByteBuffer m = w.finish();
            assertThat(m.remaining()).isLessThanOrEqualTo(256);
            d.read(m);
            total += n;
        }
        assertThat(d.records).hasSize(total);
        assertThatThrownBy(() -> new IpfixWriter(100)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<Integer, Object> ordered(Object... kv) {
        Map<Integer, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((Integer) kv[i], kv[i + 1]);
        }
        return m;
    }
}
