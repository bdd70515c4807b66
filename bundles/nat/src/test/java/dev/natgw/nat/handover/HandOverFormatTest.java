package dev.natgw.nat.handover;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.TcpState;
import dev.natgw.nat.fastpath.SessionTable;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins every number of the hand-over format: a new revision reads them from the memory an old one wrote, so
 * changing one without bumping {@link HandOverFormat#LAYOUT_VERSION} would make it misread adopted sessions. When
 * this test fails, bump the version (an old deposit is then refused by name) and update the pins here.
 */
class HandOverFormatTest {
    private static final String BUMP = "this is a hand-over format change: bump the layout version (HandOverFormat."
            + "LAYOUT_VERSION) and update the pins in HandOverFormatTest";

    private static void pin(Map<String, Long> actual, Map<String, Long> expected) {
        assertThat(actual.keySet()).as(BUMP).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertThat(actual.get(e.getKey())).as("%s is %s: %s", e.getKey(), actual.get(e.getKey()), BUMP)
                    .isEqualTo(e.getValue());
        }
    }

    private static Map<String, Long> of(Object... nameValue) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void theVersionIsPinned() {
        assertThat(HandOverFormat.LAYOUT_VERSION).as(BUMP).isEqualTo(7);
    }

    @Test
    void tcpStateCodesArePinnedAndMappedWithoutOrdinals() {
        pin(of("NONE", TcpStateCodes.NONE, "INIT_IN", TcpStateCodes.INIT_IN, "INIT_OUT", TcpStateCodes.INIT_OUT,
                "ESTABLISHED", TcpStateCodes.ESTABLISHED, "FIN_IN", TcpStateCodes.FIN_IN, "FIN_OUT",
                TcpStateCodes.FIN_OUT, "FIN_BOTH", TcpStateCodes.FIN_BOTH, "TRANSITORY", TcpStateCodes.TRANSITORY,
                "COUNT", TcpStateCodes.COUNT),
                of("NONE", 0, "INIT_IN", 1, "INIT_OUT", 2, "ESTABLISHED", 3, "FIN_IN", 4, "FIN_OUT", 5, "FIN_BOTH", 6,
                        "TRANSITORY", 7, "COUNT", 8));
        Map<String, Long> byName = new LinkedHashMap<>();
        for (int code = 0; code < TcpStateCodes.COUNT; code++) {
            byName.put(TcpStateCodes.toState(code).name(), (long) code);
        }
        pin(byName, of("NONE", 0, "INIT_IN", 1, "INIT_OUT", 2, "ESTABLISHED", 3, "FIN_IN", 4, "FIN_OUT", 5,
                "FIN_BOTH", 6, "TRANSITORY", 7));
        for (TcpState s : TcpState.values()) {
            assertThat(TcpStateCodes.toState(TcpStateCodes.toCode(s))).isEqualTo(s);
        }
        assertThatThrownBy(() -> TcpStateCodes.toState(TcpStateCodes.COUNT)).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void counterIndexesArePinned() {
        pin(of("IN2OUT", CounterIndex.IN2OUT, "OUT2IN", CounterIndex.OUT2IN, "CREATED", CounterIndex.CREATED,
                "DELETED", CounterIndex.DELETED, "EXHAUSTED", CounterIndex.EXHAUSTED, "QUOTA", CounterIndex.QUOTA,
                "HANDOFFS", CounterIndex.HANDOFFS, "EVENTS_LOST", CounterIndex.EVENTS_LOST, "DROPS",
                CounterIndex.DROPS, "POOLS", CounterIndex.POOLS, "ADOPTED", CounterIndex.ADOPTED, "POOL_SLOTS",
                CounterIndex.POOL_SLOTS, "COUNT", CounterIndex.COUNT),
                of("IN2OUT", 0, "OUT2IN", 1, "CREATED", 2, "DELETED", 3, "EXHAUSTED", 4, "QUOTA", 5, "HANDOFFS", 6,
                        "EVENTS_LOST", 7, "DROPS", 8, "POOLS", 48, "ADOPTED", 48, "POOL_SLOTS", 256, "COUNT", 816));
    }

    @Test
    void dropCodesArePinned() {
        pin(of("truncated", Drops.TRUNCATED, "bad-ip-header", Drops.BAD_IP_HEADER, "bad-ip-checksum",
                Drops.BAD_IP_CHECKSUM, "bad-l4-header", Drops.BAD_L4_HEADER, "bad-l4-checksum", Drops.BAD_L4_CHECKSUM,
                "fragment", Drops.FRAGMENT, "ttl-expired", Drops.TTL_EXPIRED, "icmp-unsupported",
                Drops.ICMP_UNSUPPORTED, "other-protocol", Drops.OTHER_PROTOCOL, "no-session", Drops.NO_SESSION,
                "filtered", Drops.FILTERED, "unsolicited-syn", Drops.UNSOLICITED_SYN, "tcp-no-session",
                Drops.TCP_NO_SESSION, "pool-exhausted", Drops.POOL_EXHAUSTED, "quota", Drops.QUOTA,
                "session-table-full", Drops.SESSION_TABLE_FULL, "mapping-conflict", Drops.MAPPING_CONFLICT,
                "handoff-loop", Drops.HANDOFF_LOOP, "event-log-full", Drops.EVENT_LOG_FULL, "stage-error",
                Drops.STAGE_ERROR, "spoofed-source", Drops.SPOOFED_SOURCE, "source-not-inside", Drops.SOURCE_NOT_INSIDE,
                "icmp-error-source", Drops.ICMP_ERROR_SOURCE, "icmp-rate-limited", Drops.ICMP_RATE_LIMITED,
                "fragment-table-full", Drops.FRAGMENT_TABLE_FULL, "fragment-timeout", Drops.FRAGMENT_TIMEOUT,
                "fragment-too-many", Drops.FRAGMENT_TOO_MANY, "fragment-invalid", Drops.FRAGMENT_INVALID, "SLOTS",
                Drops.SLOTS),
                of("truncated", 0, "bad-ip-header", 1, "bad-ip-checksum", 2, "bad-l4-header", 3, "bad-l4-checksum", 4,
                        "fragment", 5, "ttl-expired", 6, "icmp-unsupported", 7, "other-protocol", 8, "no-session", 9,
                        "filtered", 10, "unsolicited-syn", 11, "tcp-no-session", 12, "pool-exhausted", 13, "quota",
                        14, "session-table-full", 15, "mapping-conflict", 16, "handoff-loop", 17, "event-log-full",
                        18, "stage-error", 19, "spoofed-source", 20, "source-not-inside", 21, "icmp-error-source", 22,
                        "icmp-rate-limited", 23, "fragment-table-full", 28, "fragment-timeout", 29,
                        "fragment-too-many", 30, "fragment-invalid", 31, "SLOTS", 40));
        // a new reason takes the next code below SLOTS and keeps the version: an older revision left its counter 0
        assertThat(Drops.COUNT).as(BUMP).isLessThanOrEqualTo(Drops.SLOTS);
        for (int d = 0; d < Drops.COUNT; d++) {
            assertThat(Drops.name(d)).as(BUMP).isNotBlank();
        }
    }

    @Test
    void sessionTableLayoutIsPinned() {
        pin(of("S_BYTES", SessionLayout.S_BYTES, "S_MAPPING", SessionLayout.S_MAPPING, "S_REM_ADDR",
                SessionLayout.S_REM_ADDR, "S_REM_PORT", SessionLayout.S_REM_PORT, "S_STATE", SessionLayout.S_STATE,
                "S_FLAGS", SessionLayout.S_FLAGS, "S_IN_NEXT", SessionLayout.S_IN_NEXT, "S_OUT_NEXT",
                SessionLayout.S_OUT_NEXT, "S_WHEEL_PREV", SessionLayout.S_WHEEL_PREV, "S_WHEEL_NEXT",
                SessionLayout.S_WHEEL_NEXT, "S_MAP_PREV", SessionLayout.S_MAP_PREV, "S_MAP_NEXT",
                SessionLayout.S_MAP_NEXT, "S_LAST_SEEN", SessionLayout.S_LAST_SEEN, "S_DUE", SessionLayout.S_DUE,
                "S_CREATED", SessionLayout.S_CREATED, "LIVE", SessionLayout.LIVE, "ON_WHEEL", SessionLayout.ON_WHEEL,
                "M_BYTES", SessionLayout.M_BYTES, "M_IN_ADDR", SessionLayout.M_IN_ADDR, "M_OUT_ADDR",
                SessionLayout.M_OUT_ADDR, "M_IN_PORT", SessionLayout.M_IN_PORT, "M_OUT_PORT", SessionLayout.M_OUT_PORT,
                "M_PROTO", SessionLayout.M_PROTO, "M_FLAGS", SessionLayout.M_FLAGS, "M_POOL", SessionLayout.M_POOL,
                "M_SESSIONS", SessionLayout.M_SESSIONS, "M_FIRST", SessionLayout.M_FIRST, "M_IN_NEXT",
                SessionLayout.M_IN_NEXT, "M_OUT_NEXT", SessionLayout.M_OUT_NEXT, "H_BYTES", SessionLayout.H_BYTES,
                "H_ADDR", SessionLayout.H_ADDR, "H_COUNTS", SessionLayout.H_COUNTS, "H_SESSIONS",
                SessionLayout.H_SESSIONS, "H_BUCKET_SET", SessionLayout.H_BUCKET_SET, "H_BUCKET_AT",
                SessionLayout.H_BUCKET_AT, "TICK_SHIFT",
                SessionLayout.TICK_SHIFT, "WHEEL_SLOTS", SessionLayout.WHEEL_SLOTS, "FROM_HEAD",
                SessionLayout.FROM_HEAD, "AT_END", SessionLayout.AT_END, "STATES", SessionLayout.STATES,
                "COUNTER_SLOTS", SessionLayout.COUNTER_SLOTS),
                of("S_BYTES", 64, "S_MAPPING", 0, "S_REM_ADDR", 4, "S_REM_PORT", 8, "S_STATE", 10, "S_FLAGS", 11,
                        "S_IN_NEXT", 12, "S_OUT_NEXT", 16, "S_WHEEL_PREV", 20, "S_WHEEL_NEXT", 24, "S_MAP_PREV", 28,
                        "S_MAP_NEXT", 32, "S_LAST_SEEN", 40, "S_DUE", 48, "S_CREATED", 56, "LIVE", 1, "ON_WHEEL", 2,
                        "M_BYTES", 32, "M_IN_ADDR", 0, "M_OUT_ADDR", 4, "M_IN_PORT", 8, "M_OUT_PORT", 10, "M_PROTO",
                        12, "M_FLAGS", 13, "M_POOL", 14, "M_SESSIONS", 16, "M_FIRST", 20, "M_IN_NEXT", 24,
                        "M_OUT_NEXT", 28, "H_BYTES", 32, "H_ADDR", 0, "H_COUNTS", 4, "H_SESSIONS", 16,
                        "H_BUCKET_SET", 20, "H_BUCKET_AT", 24, "TICK_SHIFT", 24, "WHEEL_SLOTS",
                        4096, "FROM_HEAD", -1, "AT_END", -2, "STATES", 256, "COUNTER_SLOTS", 1024));
        pin(of("T_BYTES", SessionLayout.T_BYTES, "T_LAYOUT", SessionLayout.T_LAYOUT, "T_CAPACITY",
                SessionLayout.T_CAPACITY, "T_HEADS", SessionLayout.T_HEADS, "T_HOST_SLOTS", SessionLayout.T_HOST_SLOTS,
                "T_HOST_LIMIT", SessionLayout.T_HOST_LIMIT, "T_SEED", SessionLayout.T_SEED, "T_S_FREE",
                SessionLayout.T_S_FREE, "T_S_HWM", SessionLayout.T_S_HWM, "T_M_FREE", SessionLayout.T_M_FREE,
                "T_M_HWM", SessionLayout.T_M_HWM, "T_SIZE", SessionLayout.T_SIZE, "T_MAPPINGS",
                SessionLayout.T_MAPPINGS, "T_HOST_COUNT", SessionLayout.T_HOST_COUNT, "T_SCHEDULED",
                SessionLayout.T_SCHEDULED, "T_CURSOR_TICK", SessionLayout.T_CURSOR_TICK, "T_CURSOR_NODE",
                SessionLayout.T_CURSOR_NODE, "T_CURSOR_SET", SessionLayout.T_CURSOR_SET, "T_WALK_PAST",
                SessionLayout.T_WALK_PAST, "T_SKIPPED_IN_TICK", SessionLayout.T_SKIPPED_IN_TICK, "T_SKIPPED_MIN_DUE",
                SessionLayout.T_SKIPPED_MIN_DUE, "T_USED", SessionLayout.T_USED, "T_STATES", SessionLayout.T_STATES),
                of("T_BYTES", 1152, "T_LAYOUT", 0, "T_CAPACITY", 4, "T_HEADS", 8, "T_HOST_SLOTS", 12, "T_HOST_LIMIT",
                        16, "T_SEED", 24, "T_S_FREE", 32, "T_S_HWM", 36, "T_M_FREE", 40, "T_M_HWM", 44, "T_SIZE", 48,
                        "T_MAPPINGS", 52, "T_HOST_COUNT", 56, "T_SCHEDULED", 60, "T_CURSOR_TICK", 64,
                        "T_CURSOR_NODE", 72, "T_CURSOR_SET", 76, "T_WALK_PAST", 77, "T_SKIPPED_IN_TICK", 78,
                        "T_SKIPPED_MIN_DUE", 80, "T_USED", 88, "T_STATES", 128));
        assertThat(SessionLayout.SEGMENT_NAMES).as(BUMP).containsExactly("header", "sessions", "mappings",
                "sessionInHeads", "sessionOutHeads", "mappingInHeads", "mappingOutHeads", "wheel", "hosts",
                "counters");
    }

    @Test
    void allocatorLayoutIsPinned() {
        pin(of("A_HEADER", AllocatorLayout.A_HEADER, "A_LAYOUT", AllocatorLayout.A_LAYOUT, "A_WORKER",
                AllocatorLayout.A_WORKER, "A_OWNED", AllocatorLayout.A_OWNED, "A_GROUPS", AllocatorLayout.A_GROUPS,
                "A_RETA", AllocatorLayout.A_RETA, "A_HOLD_CAPACITY", AllocatorLayout.A_HOLD_CAPACITY, "A_HOLD_HEAD",
                AllocatorLayout.A_HOLD_HEAD, "A_HOLD_SIZE", AllocatorLayout.A_HOLD_SIZE, "A_HELD",
                AllocatorLayout.A_HELD, "A_FREE", AllocatorLayout.A_FREE, "A_RESERVED", AllocatorLayout.A_RESERVED,
                "A_HITS", AllocatorLayout.A_HITS, "A_MISSES", AllocatorLayout.A_MISSES, "A_CUT", AllocatorLayout.A_CUT,
                "A_ERRORS", AllocatorLayout.A_ERRORS, "A_IN_USE", AllocatorLayout.A_IN_USE, "A_USED",
                AllocatorLayout.A_USED),
                of("A_HEADER", 192, "A_LAYOUT", 0, "A_WORKER", 4, "A_OWNED", 8, "A_GROUPS", 12, "A_RETA", 16,
                        "A_HOLD_CAPACITY", 20, "A_HOLD_HEAD", 24, "A_HOLD_SIZE", 28, "A_HELD", 32, "A_FREE", 40,
                        "A_RESERVED", 48, "A_HITS", 56, "A_MISSES", 64, "A_CUT", 72, "A_ERRORS", 80, "A_IN_USE", 88,
                        "A_USED", 112));
        // 2 addresses, 100 owned ports, RETA 128, hold capacity 10: every array's offset
        long[] at = AllocatorLayout.arrays(2, 100, 128, 10);
        assertThat(at).as(BUMP).containsExactly(192, 1392, 2592, 2672, 2752, 5824, 5848, 5856, 5952, 5992, 6072);
    }

    @Test
    void blockLayoutIsPinned() {
        pin(of("B_HEADER", BlockLayout.B_HEADER, "B_LAYOUT", BlockLayout.B_LAYOUT, "B_WORKER", BlockLayout.B_WORKER,
                "B_ADDRESSES", BlockLayout.B_ADDRESSES, "B_PER_ADDRESS", BlockLayout.B_PER_ADDRESS, "B_SIZE",
                BlockLayout.B_SIZE, "B_HOST_SLOTS", BlockLayout.B_HOST_SLOTS, "B_MODE", BlockLayout.B_MODE,
                "B_HOLD_HEAD", BlockLayout.B_HOLD_HEAD, "B_HOLD_TAIL", BlockLayout.B_HOLD_TAIL, "B_OWNED",
                BlockLayout.B_OWNED, "B_HELD", BlockLayout.B_HELD, "B_HITS", BlockLayout.B_HITS, "B_MISSES",
                BlockLayout.B_MISSES, "B_REFUSED", BlockLayout.B_REFUSED, "B_ERRORS", BlockLayout.B_ERRORS,
                "B_IN_USE", BlockLayout.B_IN_USE, "B_RESERVED", BlockLayout.B_RESERVED, "MODE_BLOCKS",
                BlockLayout.MODE_BLOCKS, "MODE_DETERMINISTIC", BlockLayout.MODE_DETERMINISTIC, "FREE",
                BlockLayout.FREE, "OWNED", BlockLayout.OWNED, "HELD", BlockLayout.HELD),
                of("B_HEADER", 128, "B_LAYOUT", 0, "B_WORKER", 4, "B_ADDRESSES", 8, "B_PER_ADDRESS", 12, "B_SIZE", 16,
                        "B_HOST_SLOTS", 20, "B_MODE", 24, "B_HOLD_HEAD", 28, "B_HOLD_TAIL", 32, "B_OWNED", 40,
                        "B_HELD", 48, "B_HITS", 56, "B_MISSES", 64, "B_REFUSED", 72, "B_ERRORS", 80, "B_IN_USE", 88,
                        "B_RESERVED", 112, "MODE_BLOCKS", 1, "MODE_DETERMINISTIC", 2, "FREE", 0, "OWNED", 1, "HELD",
                        2));
        // 2 addresses, 3 blocks each, 64 ports a block: every array's offset
        long[] at = BlockLayout.arrays(2, 3, 64);
        assertThat(at).as(BUMP).containsExactly(128, 152, 176, 200, 224, 272, 280, 288, 352, 416, 480, 624, 768,
                912);
    }

    @Test
    void sessionRowFieldsArePinned() {
        pin(of("PROTOCOL", SessionRow.PROTOCOL, "INSIDE_ADDR", SessionRow.INSIDE_ADDR, "INSIDE_PORT",
                SessionRow.INSIDE_PORT, "OUTSIDE_ADDR", SessionRow.OUTSIDE_ADDR, "OUTSIDE_PORT",
                SessionRow.OUTSIDE_PORT, "REMOTE_ADDR", SessionRow.REMOTE_ADDR, "REMOTE_PORT", SessionRow.REMOTE_PORT,
                "STATE", SessionRow.STATE, "IDLE_NANOS", SessionRow.IDLE_NANOS, "POOL_SLOT", SessionRow.POOL_SLOT,
                "WORKER", SessionRow.WORKER, "AGE_NANOS", SessionRow.AGE_NANOS, "FIELDS", SessionRow.FIELDS),
                of("PROTOCOL", 0, "INSIDE_ADDR", 1, "INSIDE_PORT", 2, "OUTSIDE_ADDR", 3, "OUTSIDE_PORT", 4,
                        "REMOTE_ADDR", 5, "REMOTE_PORT", 6, "STATE", 7, "IDLE_NANOS", 8, "POOL_SLOT", 9, "WORKER", 10,
                        "AGE_NANOS", 11, "FIELDS", 12));
    }

    @Test
    void depositNamesArePinned() {
        assertThat(List.of(HandOverFormat.STATE_OWNER, HandOverFormat.D_INSTANCE, HandOverFormat.D_WORKERS,
                HandOverFormat.D_CAPACITY, HandOverFormat.D_HOSTS, HandOverFormat.D_RSS, HandOverFormat.D_POOLS,
                HandOverFormat.D_ACTIVE, HandOverFormat.D_STATICS, HandOverFormat.tableSegment(3, "wheel"),
                HandOverFormat.allocatorSegment(2, 7), HandOverFormat.blockSegment(1, 5))).as(BUMP).containsExactly(
                        "nat", "instance", "workers", "capacity", "hosts", "rss", "pools", "active", "statics",
                        "w3.wheel", "w2.pool7", "w1.blocks5");
    }

    @Test
    void theTableWritesWhatTheLayoutSays() {
        try (SessionTable t = new SessionTable(16, 4)) {
            int m = t.addMapping(6, 0x0a000001, 1234, 0xc6130001, 40000, 3, 0);
            int s = t.addSession(m, 0x08080808, 443, 1000);
            t.setState(s, TcpStateCodes.ESTABLISHED);
            MemorySegment hdr = t.segments().get("header");
            MemorySegment sessions = t.segments().get("sessions");
            MemorySegment mappings = t.segments().get("mappings");
            assertThat(hdr.get(JAVA_INT, SessionLayout.T_LAYOUT)).as(BUMP).isEqualTo(HandOverFormat.LAYOUT_VERSION);
            assertThat(hdr.get(JAVA_INT, SessionLayout.T_CAPACITY)).as(BUMP).isEqualTo(16);
            long o = s * SessionLayout.S_BYTES;
            assertThat(sessions.get(JAVA_BYTE, o + SessionLayout.S_STATE)).as(BUMP).isEqualTo((byte) 3);
            assertThat(sessions.get(JAVA_INT, o + SessionLayout.S_MAPPING)).as(BUMP).isEqualTo(m);
            assertThat(sessions.get(JAVA_INT, o + SessionLayout.S_REM_ADDR)).as(BUMP).isEqualTo(0x08080808);
            assertThat(mappings.get(JAVA_INT, m * SessionLayout.M_BYTES + SessionLayout.M_OUT_ADDR)).as(BUMP)
                    .isEqualTo(0xc6130001);
            assertThat(hdr.get(JAVA_INT, SessionLayout.T_STATES + 4L * TcpStateCodes.ESTABLISHED)).as(BUMP)
                    .isEqualTo(1);
        }
    }
}
