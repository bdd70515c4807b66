package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The burst lookup's pieces: one chain (a single hash head) holds every session, so the steps, the exact check and a
 * hint that is wrong, stale or reused can be told apart from the chain's own answer.
 */
class SessionTableHintTest {
    private static final int UDP = 17;

    @Test
    void stepsGoAlongTheChainUntilTheRemoteEndpointMatches() {
        try (var t = new SessionTable(16, 4, 1)) {
            int m = t.addMapping(UDP, 10, 1000, 99, 5000, 0, 0);
            int first = t.addSession(m, 7, 53, 0);
            int second = t.addSession(m, 8, 53, 0);
            int third = t.addSession(m, 9, 53, 0);
            // most recent first: third, second, first
            int head = t.chainHead(true, t.bucketIn(UDP, 10, 1000, 7, 53));
            assertThat(head).isEqualTo(third);
            int one = t.stepTowards(true, head, 7, 53);
            assertThat(one).isEqualTo(second);
            int two = t.stepTowards(true, one, 7, 53);
            assertThat(two).isEqualTo(first);
            assertThat(t.stepTowards(true, two, 7, 53)).as("a match stays").isEqualTo(first);
            assertThat(t.isIn(first, UDP, 10, 1000, 7, 53)).isTrue();
            assertThat(t.isOut(first, UDP, 99, 5000, 7, 53)).isTrue();
            assertThat(t.isIn(first, UDP, 10, 1001, 7, 53)).as("another inside port").isFalse();
            assertThat(t.isIn(first, 6, 10, 1000, 7, 53)).as("another protocol").isFalse();
            assertThat(t.isOut(first, UDP, 99, 5000, 7, 54)).as("another remote port").isFalse();
            assertThat(t.isIn(-1, UDP, 10, 1000, 7, 53)).isFalse();
        }
    }

    @Test
    void aHintIsUsedOnlyWhenItIsLiveWithExactlyTheKey() {
        try (var t = new SessionTable(16, 4, 1)) {
            int m = t.addMapping(UDP, 10, 1000, 99, 5000, 0, 0);
            int n = t.addMapping(UDP, 11, 1000, 99, 5001, 0, 0);
            int a = t.addSession(m, 7, 53, 0);
            int b = t.addSession(n, 7, 53, 0);
            assertThat(t.findIn(a, UDP, 10, 1000, 7, 53)).isEqualTo(a);
            assertThat(t.findIn(b, UDP, 10, 1000, 7, 53)).as("a hint of another key").isEqualTo(a);
            assertThat(t.findIn(-1, UDP, 10, 1000, 7, 53)).isEqualTo(a);
            assertThat(t.findOut(a, UDP, 99, 5001, 7, 53)).as("a hint of another outside key").isEqualTo(b);
            assertThat(t.findOut(b, UDP, 99, 5001, 7, 53)).isEqualTo(b);

            // a freed record: the hint names nothing live, so the answer is the chain's (none)
            t.removeSession(a);
            assertThat(t.findIn(a, UDP, 10, 1000, 7, 53)).isEqualTo(-1);
            // the record reused for another key within the same burst: still the chain's answer
            int reused = t.addSession(n, 8, 53, 0);
            assertThat(reused).isEqualTo(a);
            assertThat(t.findIn(a, UDP, 10, 1000, 7, 53)).isEqualTo(-1);
            assertThat(t.findIn(a, UDP, 11, 1000, 8, 53)).isEqualTo(reused);
        }
    }
}
