package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Ten million sessions, each with its own mapping, in one table (about 1.2 GB off-heap). */
@Tag("large")
class SessionTableLargeTest {
    private static final int N = 10_000_000;

    private static int inAddr(int i) {
        return 0x0a000000 + (i >>> 10);
    }

    private static int inPort(int i) {
        return 1024 + (i & 1023);
    }

    private static int outAddr(int i) {
        return 0xc6336400 + (i >>> 16);
    }

    private static int outPort(int i) {
        return i & 0xffff;
    }

    private static int remAddr(int i) {
        return 0x08000000 + i * 31;
    }

    @Test
    void tenMillionSessionsFitAndAreFound() {
        long start = System.nanoTime();
        try (var t = new SessionTable(N, 1 << 16)) {
            for (int i = 0; i < N; i++) {
                int m = t.addMapping(17, inAddr(i), inPort(i), outAddr(i), outPort(i), 0, 0);
                if (m < 0 || t.addSession(m, remAddr(i), 53, i) < 0) {
                    throw new AssertionError("full at " + i);
                }
            }
            long filled = System.nanoTime();
            assertThat(t.size()).isEqualTo(N);
            assertThat(t.mappings()).isEqualTo(N);
            int m = t.addMapping(17, 1, 1, 1, 1, 0, 0);
            assertThat(m).isEqualTo(-1);
            for (int i = 0; i < N; i += 997) {
                int s = t.findIn(17, inAddr(i), inPort(i), remAddr(i), 53);
                assertThat(s).isNotNegative();
                assertThat(t.findOut(17, outAddr(i), outPort(i), remAddr(i), 53)).isEqualTo(s);
                assertThat(t.created(s)).isEqualTo(i);
                assertThat(t.findIn(17, inAddr(i), inPort(i), remAddr(i), 54)).isEqualTo(-1);
            }
            System.out.printf("10M sessions: %.2f B/session, %d B total, fill %d ms, total %d ms%n",
                    t.bytesPerSession(), t.bytes(), (filled - start) / 1_000_000,
                    (System.nanoTime() - start) / 1_000_000);
            assertThat(t.bytesPerSession()).isLessThanOrEqualTo(128.0);
        }
    }
}
