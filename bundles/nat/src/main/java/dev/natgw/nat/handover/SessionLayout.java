package dev.natgw.nat.handover;

import java.util.List;

/**
 * The off-heap layout of one worker's session table, as a new revision adopts it (version
 * {@link HandOverFormat#LAYOUT_VERSION}). All fields native byte order, naturally aligned, the record arrays
 * 64-byte aligned; {@code int} links, {@code -1} none.
 *
 * <p>
 * <b>Session</b>, {@link #S_BYTES} bytes: 0 {@code int} mapping index ({@code -1} when free); 4 {@code int} remote
 * address; 8 {@code u16} remote port; 10 {@code u8} state (a {@link TcpStateCodes} code); 11 {@code u8} flags
 * ({@link #LIVE}, {@link #ON_WHEEL}, {@link #UNANSWERED}); 12 {@code int} next in the session in-index chain (the free-list link while
 * free); 16 {@code int} next in the session out-index chain; 20 {@code int} wheel previous, or
 * {@code -(slot + 2)} for the head of a slot; 24 {@code int} wheel next; 28 {@code int} previous and 32
 * {@code int} next session of the same mapping; 36 reserved (0); 40 {@code long} last seen; 48 {@code long} due
 * time; 56 {@code long} created (all times {@code System.nanoTime()}).
 *
 * <p>
 * <b>Mapping</b>, {@link #M_BYTES} bytes: 0 {@code int} inside address; 4 {@code int} outside address; 8
 * {@code u16} inside port; 10 {@code u16} outside port; 12 {@code u8} protocol; 13 {@code u8} flags (the low byte
 * of the pool address index); 14 {@code u16} pool (slot in the low byte, the address index's high bits above);
 * 16 {@code int} session count ({@code -1} when free); 20 {@code int} first session; 24 {@code int} next in the
 * mapping in-index chain (the free-list link while free); 28 {@code int} next in the mapping out-index chain.
 *
 * <p>
 * <b>Host</b>, {@link #H_BYTES} bytes: 0 {@code int} inside address; 4, 8, 12 {@code int} port counts for TCP,
 * UDP, ICMP; 16 {@code int} sessions of the host's pool mappings; 20 {@code int} 1 once the mapping bucket is set;
 * 24 {@code long} the mapping bucket's theoretical arrival time ({@code System.nanoTime()}, GCRA). A slot is
 * empty exactly when the three port counts and the session count are 0. Hash heads and wheel slots are {@code int} arrays;
 * the wheel has {@link #WHEEL_SLOTS} slots of 2^{@link #TICK_SHIFT} ns.
 *
 * <p>
 * <b>Header</b>, {@link #T_BYTES} bytes, one per table, holding every scalar the table keeps, so the whole table
 * is its memory. Immutable after construction: 0 {@code int} layout version; 4 {@code int} capacity; 8
 * {@code int} hash heads (a power of two); 12 {@code int} host slots (a power of two); 16 {@code int} host limit;
 * 20 reserved; 24 {@code long} hash seed. Written by the worker: 32 {@code int} session free-list head; 36
 * {@code int} session high-water mark; 40 {@code int} mapping free-list head; 44 {@code int} mapping high-water
 * mark; 48 {@code int} live sessions and 52 {@code int} live mappings (both written with release, read with
 * acquire); 56 {@code int} hosts; 60 {@code int} sessions on the wheel; 64 {@code long} wheel cursor tick; 72
 * {@code int} cursor node (a session, {@link #FROM_HEAD} or {@link #AT_END}); 76 {@code u8} cursor set; 77
 * {@code u8} walk past; 78 {@code u8} skipped in tick; 80 {@code long} earliest skipped due time; 88..127
 * reserved, 0; 128.. {@code int} live sessions per state byte, {@link #STATES} of them (written with release,
 * read with acquire).
 *
 * <p>
 * <b>Counters</b>, {@link #COUNTER_SLOTS} {@code long}s at the indexes of {@link CounterIndex}: the worker's
 * counters as it last published them (opaque stores and loads). The segments are named {@link #SEGMENT_NAMES} in
 * a deposit ({@link HandOverFormat#tableSegment}). Constants only.
 */
public final class SessionLayout {
    /** Names of a table's segments, in this order. */
    public static final List<String> SEGMENT_NAMES = List.of("header", "sessions", "mappings", "sessionInHeads",
            "sessionOutHeads", "mappingInHeads", "mappingOutHeads", "wheel", "hosts", "counters");

    /** The {@code long} counters a table carries for its worker. */
    public static final int COUNTER_SLOTS = 1024;
    /** The states a session record may hold: one byte. */
    public static final int STATES = 256;

    /** Bytes of a session record. */
    public static final long S_BYTES = 64;
    public static final long S_MAPPING = 0;
    public static final long S_REM_ADDR = 4;
    public static final long S_REM_PORT = 8;
    public static final long S_STATE = 10;
    public static final long S_FLAGS = 11;
    public static final long S_IN_NEXT = 12;
    public static final long S_OUT_NEXT = 16;
    public static final long S_WHEEL_PREV = 20;
    public static final long S_WHEEL_NEXT = 24;
    public static final long S_MAP_PREV = 28;
    public static final long S_MAP_NEXT = 32;
    public static final long S_LAST_SEEN = 40;
    public static final long S_DUE = 48;
    public static final long S_CREATED = 56;
    /** Session flag: the record is a live session. */
    public static final int LIVE = 1;
    /** Session flag: the session is on the wheel. */
    public static final int ON_WHEEL = 2;
    /**
     * Session flag: opened by an outside packet and not yet answered from inside, so it lives the short unanswered
     * timeout and inbound packets do not extend it. A table from an earlier build has the bit 0: answered, as before.
     */
    public static final int UNANSWERED = 4;

    /** Bytes of a mapping record. */
    public static final long M_BYTES = 32;
    public static final long M_IN_ADDR = 0;
    public static final long M_OUT_ADDR = 4;
    public static final long M_IN_PORT = 8;
    public static final long M_OUT_PORT = 10;
    public static final long M_PROTO = 12;
    public static final long M_FLAGS = 13;
    public static final long M_POOL = 14;
    public static final long M_SESSIONS = 16;
    public static final long M_FIRST = 20;
    public static final long M_IN_NEXT = 24;
    public static final long M_OUT_NEXT = 28;

    /** Bytes of a host record: the address, the TCP, UDP and ICMP port counts, sessions, the mapping bucket. */
    public static final long H_BYTES = 32;
    public static final long H_ADDR = 0;
    public static final long H_COUNTS = 4;
    public static final long H_SESSIONS = 16;
    public static final long H_BUCKET_SET = 20;
    public static final long H_BUCKET_AT = 24;

    /** Wheel slot width: 2^24 ns, about 16.8 ms. */
    public static final int TICK_SHIFT = 24;
    /** Slots of the wheel. */
    public static final int WHEEL_SLOTS = 4096;
    /** Cursor node: walk the slot from its head. */
    public static final int FROM_HEAD = -1;
    /** Cursor node: the walk of the slot reached its end. */
    public static final int AT_END = -2;

    /** Bytes of the header, a {@code long}-aligned struct. */
    public static final long T_BYTES = 128 + 4 * STATES;
    public static final long T_LAYOUT = 0;
    public static final long T_CAPACITY = 4;
    public static final long T_HEADS = 8;
    public static final long T_HOST_SLOTS = 12;
    public static final long T_HOST_LIMIT = 16;
    public static final long T_SEED = 24;
    public static final long T_S_FREE = 32;
    public static final long T_S_HWM = 36;
    public static final long T_M_FREE = 40;
    public static final long T_M_HWM = 44;
    public static final long T_SIZE = 48;
    public static final long T_MAPPINGS = 52;
    public static final long T_HOST_COUNT = 56;
    public static final long T_SCHEDULED = 60;
    public static final long T_CURSOR_TICK = 64;
    public static final long T_CURSOR_NODE = 72;
    public static final long T_CURSOR_SET = 76;
    public static final long T_WALK_PAST = 77;
    public static final long T_SKIPPED_IN_TICK = 78;
    public static final long T_SKIPPED_MIN_DUE = 80;
    /** The first reserved byte of the header. */
    public static final long T_USED = 88;
    /** Live sessions per state byte: {@link #STATES} {@code int}s. */
    public static final long T_STATES = 128;

    private SessionLayout() {
    }
}
