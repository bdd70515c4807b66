package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.SessionRecords.*;
import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.handover.SessionLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * One worker's mappings and sessions, off-heap in one shared {@link Arena} owned by the table, with
 * the timer wheel that expires the sessions ({@link TimerWheel}) and the per-inside-host port counts for quotas
 * ({@link HostTable}), which work on the table's segments. The table keeps the sessions and the orchestration; the
 * mappings' indexes and free list are {@link MappingTable}'s, the record fields and the hashing
 * {@link SessionRecords}', the allocation and adoption of the memory {@link SessionMemory}'s. The per-packet
 * lookups ({@link #findIn}, {@link #findOut}, the peeks and the field getters) read the table's own final fields
 * and static accessors only, so the split adds no load to them.
 *
 * <p>
 * Invariants: used by exactly one worker thread (only {@link #size()}, {@link #mappings()}, {@link #sessionsInState} and
 * {@link #capacity()} may be read from others); allocation-free and lock-free after construction;
 * no Java object per session. A <em>mapping</em> is an inside endpoint bound to an outside endpoint
 * for one protocol and counts its sessions; a <em>session</em> is a mapping plus one remote
 * endpoint. Indexes are {@code int}s, {@code -1} for none. A session's inside and outside endpoints
 * are its mapping's. Several live mappings may share an inside key or an outside key (a port reused
 * towards other destinations); the finders return the most recently added and
 * {@link #nextMappingIn}/{@link #nextMappingOut} walk the others. Session lookups are exact on the
 * 5-tuple. The table does not check that a key is new: the caller looks it up first. Passing the
 * index of a free record to a getter returns garbage; the removers check and throw
 * {@link IllegalStateException}, which is a bug in the caller.
 *
 * <p>
 * Memory: {@code capacity} session records and as many mapping records, four hash-head arrays
 * (session in/out, mapping in/out; a power of two of {@code int}s, chained through the records), a
 * 4096-slot timer wheel and the host table. Without the host table this is at most 128 bytes per
 * session of capacity for any capacity of at least 4096 (the fixed 16 KiB wheel dominates below);
 * {@link #bytesPerSession()} and {@link #bytes()} report the true figures.
 *
 * <p>
 * The records, the header that holds every scalar of the table and the counters segment are laid out as
 * {@link SessionLayout} describes, so the whole table is its memory and another bundle revision can adopt it
 * ({@link #SessionTable(Arena, Map)}); the version is {@link HandOverFormat#LAYOUT_VERSION}.
 */
public final class SessionTable implements AutoCloseable {
    /** The largest capacity: indexes and byte offsets stay well inside {@code int} and memory. */
    public static final int MAX_CAPACITY = 1 << 28;

    /** Sessions examined per {@link #pollDue} call, so one call never stalls a burst. */
    public static final int POLL_BUDGET = 1024;

    // size and per-state counts: written with release by the worker so other threads read a recent value
    private static final VarHandle SIZE = JAVA_INT.varHandle();

    private final SessionMemory memory;
    private final MemorySegment hdr;
    private final MemorySegment sessions;
    private final MemorySegment maps;
    private final MemorySegment sInHeads;
    private final MemorySegment sOutHeads;
    private final MemorySegment mOutHeads;
    private final int capacity;
    private final int headMask;
    private final long seed;
    private final MappingTable mappingTable;
    private final TimerWheel timers;
    private final HostTable hostTable;
    private boolean closed;

    /**
     * Allocates the table.
     *
     * @param capacity sessions (and mappings), 1..{@link #MAX_CAPACITY}
     * @param hostCapacity inside hosts the quota table holds, at least 1 (its slot array is the next
     *        power of two above a quarter more, so probes stay short when full)
     */
    public SessionTable(int capacity, int hostCapacity) {
        this(capacity, hostCapacity, SessionMemory.headsFor(capacity));
    }

    /** For tests: forces the number of hash heads (a power of two) to provoke long chains. */
    SessionTable(int capacity, int hostCapacity, int headCount) {
        this(SessionMemory.allocate(capacity, hostCapacity, headCount));
    }

    /**
     * Takes over the memory of a table that another revision of this bundle made, as {@link #segments()}
     * gave it: only reads the header's immutable fields, so the table's previous user may still be running on
     * it until the dataplane swaps the stages. From now on this table owns the arena.
     *
     * @param arena the arena that owns the segments
     * @param segs the segments by {@link SessionLayout#SEGMENT_NAMES}
     * @throws IllegalArgumentException naming what does not fit (layout version, a missing or short segment)
     */
    public SessionTable(Arena arena, Map<String, MemorySegment> segs) {
        this(SessionMemory.adopt(arena, segs));
    }

    private SessionTable(SessionMemory mem) {
        this.memory = mem;
        this.hdr = mem.hdr;
        this.sessions = mem.sessions;
        this.maps = mem.maps;
        this.sInHeads = mem.sInHeads;
        this.sOutHeads = mem.sOutHeads;
        this.mOutHeads = mem.mOutHeads;
        this.capacity = mem.capacity;
        this.headMask = mem.headMask;
        this.seed = mem.seed;
        this.mappingTable = new MappingTable(mem);
        this.timers = new TimerWheel(hdr, sessions, mem.wheel);
        this.hostTable = new HostTable(hdr, mem.hosts, mem.hostMask, mem.hostLimit, seed);
    }

    /** {@return the table's memory by {@link SessionLayout#SEGMENT_NAMES}, for a hand-over} */
    public Map<String, MemorySegment> segments() {
        return memory.segments();
    }

    /** {@return the worker's published counters, {@link SessionLayout#COUNTER_SLOTS} {@code long}s, handed over with the table} */
    public MemorySegment counters() {
        return memory.counters;
    }

    /** {@return the arena that owns the table's memory} */
    public Arena arena() {
        return memory.arena;
    }

    /**
     * Gives the memory away: a later {@link #close()} no longer frees it, whoever took {@link #arena()} does.
     * The table stays usable until then.
     */
    public void disown() {
        closed = true;
    }

    // ---------------------------------------------------------------- sizes

    /** Sessions (and mappings) the table holds at most. */
    public int capacity() {
        return capacity;
    }

    /** Live sessions; readable from any thread. */
    public int size() {
        return (int) SIZE.getAcquire(hdr, T_SIZE);
    }

    /** Live mappings; readable from any thread. */
    public int mappings() {
        return mappingTable.count();
    }

    /** Off-heap bytes of the whole table, host table included. */
    public long bytes() {
        return memory.bytes();
    }

    /** Off-heap bytes per session of capacity without the host table (which callers size apart). */
    public double bytesPerSession() {
        return (double) (bytes() - memory.hosts.byteSize()) / capacity;
    }

    /** The hash seed the indexes and the host table were built with. */
    public long seed() {
        return seed;
    }

    /** Frees the off-heap memory; every later call may throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            memory.arena.close();
        }
    }

    // ---------------------------------------------------------------- mappings (see MappingTable)

    /** The most recently added live mapping with this inside key, or -1. */
    public int findMappingIn(int proto, int inAddr, int inPort) {
        return mappingTable.findIn(proto, inAddr, inPort);
    }

    /** The next (older) live mapping with the same inside key as {@code m}, or -1. */
    public int nextMappingIn(int m) {
        return mappingTable.nextIn(m);
    }

    /** The most recently added live mapping with this outside key, or -1. */
    public int findMappingOut(int proto, int outAddr, int outPort) {
        return mappingTable.findOut(proto, outAddr, outPort);
    }

    /** The next (older) live mapping with the same outside key as {@code m}, or -1. */
    public int nextMappingOut(int m) {
        return mappingTable.nextOut(m);
    }

    /**
     * Adds a mapping with no sessions; the caller has checked the keys.
     *
     * @param proto 0..255
     * @param pool 0..65535
     * @param flags 0..255
     * @return its index, or -1 when the table is full
     */
    public int addMapping(int proto, int inAddr, int inPort, int outAddr, int outPort, int pool, int flags) {
        return mappingTable.add(proto, inAddr, inPort, outAddr, outPort, pool, flags);
    }

    /**
     * Removes a mapping.
     *
     * @throws IllegalStateException if it is not live or still has sessions (a bug in the caller)
     */
    public void removeMapping(int m) {
        mappingTable.remove(m);
    }

    /** The number of sessions of a live mapping. */
    public int mappingSessions(int m) {
        return mi(maps, m, M_SESSIONS);
    }

    /** The most recently added session of a mapping, or -1. */
    public int firstSession(int m) {
        return mi(maps, m, M_FIRST);
    }

    /** The next session of the same mapping, or -1. */
    public int nextSessionOfMapping(int s) {
        return si(sessions, s, S_MAP_NEXT);
    }

    public int mInAddr(int m) {
        return mi(maps, m, M_IN_ADDR);
    }

    public int mInPort(int m) {
        return mu16(maps, m, M_IN_PORT);
    }

    public int mOutAddr(int m) {
        return mi(maps, m, M_OUT_ADDR);
    }

    public int mOutPort(int m) {
        return mu16(maps, m, M_OUT_PORT);
    }

    public int mProto(int m) {
        return mu8(maps, m, M_PROTO);
    }

    public int mPool(int m) {
        return mu16(maps, m, M_POOL);
    }

    public int mFlags(int m) {
        return mu8(maps, m, M_FLAGS);
    }

    // ---------------------------------------------------------------- sessions

    /**
     * The in-index chain of an inside 5-tuple: the hash {@link #findIn} computes, for a burst's lookups done in
     * passes ({@link #chainHead}, {@link #stepTowards}, {@link #isIn}) whose loads do not depend on each other across
     * packets, so the CPU overlaps their cache misses.
     */
    public int bucketIn(int proto, int inAddr, int inPort, int remAddr, int remPort) {
        return sessionBucket(seed, headMask, proto, inAddr, inPort, remAddr, remPort);
    }

    /** The out-index chain of an outside 5-tuple; see {@link #bucketIn}. */
    public int bucketOut(int proto, int outAddr, int outPort, int remAddr, int remPort) {
        return sessionBucket(seed, headMask, proto, outAddr, outPort, remAddr, remPort);
    }

    /** {@return the first session of chain {@code b} of the in-index ({@code inside}) or the out-index, or -1} */
    public int chainHead(boolean inside, int b) {
        return head(inside ? sInHeads : sOutHeads, b);
    }

    /**
     * One step along a chain without a branch on the record's contents: {@code s} itself when its remote endpoint
     * is this one, else the next session of its chain in the in-index ({@code inside}) or the out-index, or -1.
     *
     * @param inside which index's chain
     * @param s a live session from {@link #chainHead} or an earlier step
     * @param remAddr the remote address looked for
     * @param remPort the remote port looked for
     * @return {@code s} or the session after it
     */
    public int stepTowards(boolean inside, int s, int remAddr, int remPort) {
        long o = s * S_BYTES;
        boolean same = sessions.get(JAVA_INT, o + S_REM_ADDR) == remAddr
                & sessions.get(JAVA_CHAR, o + S_REM_PORT) == remPort;
        int next = sessions.get(JAVA_INT, o + (inside ? S_IN_NEXT : S_OUT_NEXT));
        return same ? s : next;
    }

    /** Whether {@code s} is a live session with exactly this inside 5-tuple; {@code s} may be -1. */
    public boolean isIn(int s, int proto, int inAddr, int inPort, int remAddr, int remPort) {
        if (s < 0) {
            return false;
        }
        int m = si(sessions, s, S_MAPPING);
        return m >= 0 && si(sessions, s, S_REM_ADDR) == remAddr && remPort(s) == remPort
                && mappingInIs(maps, m, proto, inAddr, inPort);
    }

    /** Whether {@code s} is a live session with exactly this outside 5-tuple; {@code s} may be -1. */
    public boolean isOut(int s, int proto, int outAddr, int outPort, int remAddr, int remPort) {
        if (s < 0) {
            return false;
        }
        int m = si(sessions, s, S_MAPPING);
        return m >= 0 && si(sessions, s, S_REM_ADDR) == remAddr && remPort(s) == remPort
                && mappingOutIs(maps, m, proto, outAddr, outPort);
    }

    /**
     * The first mapping of an inside key's chain, or -1: what a new session looks up first, for a burst's lookup
     * pass to bring in (with {@link #peekHost}) for the packets it found no session for. Decides nothing.
     */
    public int mappingHeadIn(int proto, int inAddr, int inPort) {
        return mappingTable.headIn(proto, inAddr, inPort);
    }

    /** Whether live mapping {@code m} has this inside key. */
    public boolean isMappingIn(int m, int proto, int inAddr, int inPort) {
        return SessionRecords.mappingInIs(maps, m, proto, inAddr, inPort);
    }

    /**
     * Reads the first word of an inside host's home slot in the host table, bringing the slot in; decides nothing.
     *
     * @return a value to keep, so that the load is not dropped
     */
    public int peekHost(int inAddr) {
        return hostTable.peek(inAddr);
    }

    /**
     * Reads the chain heads a new mapping on this outside endpoint and its first session towards this remote
     * endpoint are linked into ({@link #addMapping}, {@link #addSession}), bringing them in for a burst whose lookup
     * pass took its new flows' ports ahead; decides nothing.
     *
     * @return a value to keep, so that the loads are not dropped
     */
    public int peekOut(int proto, int outAddr, int outPort, int remAddr, int remPort) {
        return head(mOutHeads, mappingBucket(seed, headMask, proto, outAddr, outPort))
                + head(sOutHeads, sessionBucket(seed, headMask, proto, outAddr, outPort, remAddr, remPort));
    }

    /**
     * {@link #findIn} that first tries a session a burst's lookup pass found: {@code hint} when it is live with
     * exactly this key (then no hash and no chain walk), else the chain's answer.
     */
    public int findIn(int hint, int proto, int inAddr, int inPort, int remAddr, int remPort) {
        return isIn(hint, proto, inAddr, inPort, remAddr, remPort)
                ? hint
                : findIn(proto, inAddr, inPort, remAddr, remPort);
    }

    /** {@link #findOut} that first tries a session a burst's lookup pass found; see {@link #findIn(int, int, int, int, int, int)}. */
    public int findOut(int hint, int proto, int outAddr, int outPort, int remAddr, int remPort) {
        return isOut(hint, proto, outAddr, outPort, remAddr, remPort)
                ? hint
                : findOut(proto, outAddr, outPort, remAddr, remPort);
    }

    /** The live session with this inside 5-tuple (the most recent if the caller added twice), or -1. */
    public int findIn(int proto, int inAddr, int inPort, int remAddr, int remPort) {
        int s = head(sInHeads, sessionBucket(seed, headMask, proto, inAddr, inPort, remAddr, remPort));
        while (s != -1) {
            if (si(sessions, s, S_REM_ADDR) == remAddr && remPort(s) == remPort) {
                int m = si(sessions, s, S_MAPPING);
                if (mappingInIs(maps, m, proto, inAddr, inPort)) {
                    return s;
                }
            }
            s = si(sessions, s, S_IN_NEXT);
        }
        return -1;
    }

    /** The live session with this outside 5-tuple (the most recent if the caller added twice), or -1. */
    public int findOut(int proto, int outAddr, int outPort, int remAddr, int remPort) {
        int s = head(sOutHeads, sessionBucket(seed, headMask, proto, outAddr, outPort, remAddr, remPort));
        while (s != -1) {
            if (si(sessions, s, S_REM_ADDR) == remAddr && remPort(s) == remPort) {
                int m = si(sessions, s, S_MAPPING);
                if (mappingOutIs(maps, m, proto, outAddr, outPort)) {
                    return s;
                }
            }
            s = si(sessions, s, S_OUT_NEXT);
        }
        return -1;
    }

    /**
     * Adds a session of live mapping {@code m} towards {@code remAddr:remPort}, state 0, last seen and
     * created {@code now}, not on the wheel.
     *
     * @return its index, or -1 when the table is full
     * @throws IllegalStateException if {@code m} is not live (a bug in the caller)
     */
    public int addSession(int m, int remAddr, int remPort, long now) {
        mappingTable.check(m);
        int s = hdr.get(JAVA_INT, T_S_FREE);
        if (s != -1) {
            hdr.set(JAVA_INT, T_S_FREE, si(sessions, s, S_IN_NEXT));
        } else if (hdr.get(JAVA_INT, T_S_HWM) < capacity) {
            s = hdr.get(JAVA_INT, T_S_HWM);
            hdr.set(JAVA_INT, T_S_HWM, s + 1);
        } else {
            return -1;
        }
        long o = s * S_BYTES;
        int proto = mProto(m);
        sessions.set(JAVA_INT, o + S_MAPPING, m);
        sessions.set(JAVA_INT, o + S_REM_ADDR, remAddr);
        sessions.set(JAVA_CHAR, o + S_REM_PORT, (char) remPort);
        sessions.set(JAVA_BYTE, o + S_STATE, (byte) 0);
        sessions.set(JAVA_BYTE, o + S_FLAGS, (byte) LIVE);
        sessions.set(JAVA_LONG, o + S_LAST_SEEN, now);
        sessions.set(JAVA_LONG, o + S_CREATED, now);
        sessions.set(JAVA_LONG, o + S_DUE, 0L);
        sessions.set(JAVA_INT, o + S_WHEEL_PREV, -1);
        sessions.set(JAVA_INT, o + S_WHEEL_NEXT, -1);
        int bi = sessionBucket(seed, headMask, proto, mInAddr(m), mInPort(m), remAddr, remPort);
        sessions.set(JAVA_INT, o + S_IN_NEXT, head(sInHeads, bi));
        head(sInHeads, bi, s);
        int bo = sessionBucket(seed, headMask, proto, mOutAddr(m), mOutPort(m), remAddr, remPort);
        sessions.set(JAVA_INT, o + S_OUT_NEXT, head(sOutHeads, bo));
        head(sOutHeads, bo, s);
        int first = mi(maps, m, M_FIRST);
        sessions.set(JAVA_INT, o + S_MAP_PREV, -1);
        sessions.set(JAVA_INT, o + S_MAP_NEXT, first);
        if (first != -1) {
            si(sessions, first, S_MAP_PREV, s);
        }
        mi(maps, m, M_FIRST, s);
        mi(maps, m, M_SESSIONS, mi(maps, m, M_SESSIONS) + 1);
        addInState(0, 1);
        SIZE.setRelease(hdr, T_SIZE, size() + 1);
        return s;
    }

    /**
     * Removes a session: out of both indexes (O(chain length)), its mapping's list and the wheel. The
     * mapping stays, with one session less.
     *
     * @throws IllegalStateException if {@code s} is not live (a bug in the caller)
     */
    public void removeSession(int s) {
        if (!isLive(s)) {
            throw new IllegalStateException("session " + s + " is not live");
        }
        timers.unschedule(s);
        int m = si(sessions, s, S_MAPPING);
        int proto = mProto(m), remAddr = si(sessions, s, S_REM_ADDR), remPort = remPort(s);
        unlinkSession(sInHeads, sessionBucket(seed, headMask, proto, mInAddr(m), mInPort(m), remAddr, remPort), s,
                S_IN_NEXT);
        unlinkSession(sOutHeads, sessionBucket(seed, headMask, proto, mOutAddr(m), mOutPort(m), remAddr, remPort), s,
                S_OUT_NEXT);
        int prev = si(sessions, s, S_MAP_PREV), next = si(sessions, s, S_MAP_NEXT);
        if (prev == -1) {
            mi(maps, m, M_FIRST, next);
        } else {
            si(sessions, prev, S_MAP_NEXT, next);
        }
        if (next != -1) {
            si(sessions, next, S_MAP_PREV, prev);
        }
        mi(maps, m, M_SESSIONS, mi(maps, m, M_SESSIONS) - 1);
        addInState(state(s), -1);
        sflags(sessions, s, 0);
        si(sessions, s, S_MAPPING, -1);
        si(sessions, s, S_IN_NEXT, hdr.get(JAVA_INT, T_S_FREE));
        hdr.set(JAVA_INT, T_S_FREE, s);
        SIZE.setRelease(hdr, T_SIZE, size() - 1);
    }

    private void unlinkSession(MemorySegment heads, int b, int s, long next) {
        if (!unlink(heads, b, sessions, S_BYTES, s, next)) {
            throw new IllegalStateException("session " + s + " missing from its chain: table corrupt");
        }
    }

    /** Whether {@code s} is a live session index. */
    public boolean isLive(int s) {
        return s >= 0 && s < hdr.get(JAVA_INT, T_S_HWM) && (sflags(sessions, s) & LIVE) != 0;
    }

    public int mapping(int s) {
        return si(sessions, s, S_MAPPING);
    }

    public int remAddr(int s) {
        return si(sessions, s, S_REM_ADDR);
    }

    public int remPort(int s) {
        return sessions.get(JAVA_CHAR, s * S_BYTES + S_REM_PORT);
    }

    /** The state, 0..255 (the translator stores {@link dev.natgw.nat.handover.TcpStateCodes} codes). */
    public int state(int s) {
        return sessions.get(JAVA_BYTE, s * S_BYTES + S_STATE) & 0xff;
    }

    /** Sets the state, 0..255. */
    public void setState(int s, int st) {
        int old = state(s);
        if (old == (st & 0xff)) {
            return;
        }
        sessions.set(JAVA_BYTE, s * S_BYTES + S_STATE, (byte) st);
        addInState(old, -1);
        addInState(st & 0xff, 1);
    }

    private void addInState(int st, int delta) {
        long at = T_STATES + 4L * st;
        SIZE.setRelease(hdr, at, hdr.get(JAVA_INT, at) + delta);
    }

    /**
     * Returns the live sessions whose state is {@code st}; like {@link #size()}, readable from any thread.
     * Exact on the worker; another thread sees the counts of a recent moment, each one on its own (a session
     * changing state may briefly be seen in both or neither).
     *
     * @param st the state, 0..255 (a {@link dev.natgw.nat.handover.TcpStateCodes} code; 0 also counts every non-TCP
     *     session)
     * @return the count
     */
    public int sessionsInState(int st) {
        return (int) SIZE.getAcquire(hdr, T_STATES + 4L * st);
    }

    public long lastSeen(int s) {
        return sessions.get(JAVA_LONG, s * S_BYTES + S_LAST_SEEN);
    }

    /** Sets last seen; the wheel is untouched (the expiry handler compares and reschedules). */
    public void touch(int s, long now) {
        sessions.set(JAVA_LONG, s * S_BYTES + S_LAST_SEEN, now);
    }

    /** Whether {@code s} was opened from outside and the inside has not answered yet. */
    public boolean unanswered(int s) {
        return (sflags(sessions, s) & UNANSWERED) != 0;
    }

    /** Marks {@code s} as opened from outside and unanswered, or as answered. */
    public void setUnanswered(int s, boolean unanswered) {
        int fl = sflags(sessions, s);
        sflags(sessions, s, unanswered ? fl | UNANSWERED : fl & ~UNANSWERED);
    }

    public long created(int s) {
        return sessions.get(JAVA_LONG, s * S_BYTES + S_CREATED);
    }

    /** The next live session index at or after {@code fromIndex}, or -1; for control-plane scans. */
    public int nextLive(int fromIndex) {
        for (int s = Math.max(fromIndex, 0); s < hdr.get(JAVA_INT, T_S_HWM); s++) {
            if ((sflags(sessions, s) & LIVE) != 0) {
                return s;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- timer wheel and hosts (see TimerWheel, HostTable)

    /** Puts live session {@code s} on the wheel due at {@code dueNanos}; see {@link TimerWheel#schedule}. */
    public void schedule(int s, long dueNanos) {
        timers.schedule(s, dueNanos);
    }

    /** Takes {@code s} off the wheel if it is on it. */
    public void unschedule(int s) {
        timers.unschedule(s);
    }

    /** The due time last given to {@link #schedule}, 0 if never. */
    public long due(int s) {
        return timers.due(s);
    }

    /** Whether {@code s} is on the wheel. */
    public boolean isScheduled(int s) {
        return timers.isScheduled(s);
    }

    /** Sessions on the wheel. */
    public int scheduled() {
        return timers.scheduled();
    }

    /** A due session taken off the wheel, or -1; see {@link TimerWheel#pollDue}. */
    public int pollDue(long now) {
        return timers.pollDue(now);
    }

    /** The home slot of an inside address in the host table (visible for collision tests). */
    int hostHome(int inAddr) {
        return hostTable.home(inAddr);
    }

    /** Hosts the table accepts. */
    public int hostCapacity() {
        return hostTable.capacity();
    }

    /** Hosts with a non-zero count. */
    public int hostCount() {
        return hostTable.count();
    }

    /** Ports the inside host holds for the protocol (6, 17 or 1; 0 for any other). */
    public int hostPorts(int inAddr, int proto) {
        return hostTable.ports(inAddr, proto);
    }

    /** Adds to the host's count for the protocol; see {@link HostTable#add}. */
    public boolean hostAdd(int inAddr, int proto, int delta) {
        return hostTable.add(inAddr, proto, delta);
    }

    /** Sessions the inside host holds on its pool mappings. */
    public int hostSessions(int inAddr) {
        return hostTable.sessions(inAddr);
    }

    /** Adds to the host's sessions; see {@link HostTable#addSessions}. */
    void hostAddSessions(int inAddr, int delta) {
        hostTable.addSessions(inAddr, delta);
    }

    /** Whether the host may make a new mapping now; see {@link HostTable#mayMap}. */
    boolean hostMayMap(int inAddr, long interval, long burst, long now) {
        return hostTable.mayMap(inAddr, interval, burst, now);
    }

    /** Takes a token from the host's mapping bucket; see {@link HostTable#mapped}. */
    void hostMapped(int inAddr, long interval, long now) {
        hostTable.mapped(inAddr, interval, now);
    }
}
