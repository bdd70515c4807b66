package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.SessionRecords.*;
import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.natgw.nat.handover.SessionLayout;
import java.lang.foreign.MemorySegment;

/**
 * The timer wheel of a {@link SessionTable}: {@link SessionLayout#WHEEL_SLOTS} slots of 2^{@link
 * SessionLayout#TICK_SHIFT} ns, each a doubly linked list threaded through the session records (wheel previous
 * and next, due time, the on-wheel flag), with its cursor in the table header, so it is handed over with the
 * table. O(1) to schedule and unschedule; {@link #pollDue} walks the slots behind the time within a budget. Used
 * by the table's one worker thread only; allocation-free and lock-free.
 */
final class TimerWheel {
    private static final int WHEEL_MASK = WHEEL_SLOTS - 1;

    private final MemorySegment hdr;
    private final MemorySegment sessions;
    private final MemorySegment wheel;

    TimerWheel(MemorySegment hdr, MemorySegment sessions, MemorySegment wheel) {
        this.hdr = hdr;
        this.sessions = sessions;
        this.wheel = wheel;
    }

    /**
     * Puts live session {@code s} on the wheel due at {@code dueNanos}, moving it if it was on already;
     * O(1). A due time in a slot the cursor has passed goes to the cursor's slot, so it is returned at
     * the next poll rather than a revolution late.
     */
    void schedule(int s, long dueNanos) {
        int fl = sflags(sessions, s);
        if ((fl & ON_WHEEL) != 0) {
            unlinkWheel(s);
        }
        long o = s * S_BYTES;
        sessions.set(JAVA_LONG, o + S_DUE, dueNanos);
        long tick = dueNanos >> TICK_SHIFT;
        if (hdr.get(JAVA_BYTE, T_CURSOR_SET) != 0 && tick <= hdr.get(JAVA_LONG, T_CURSOR_TICK)) {
            tick = hdr.get(JAVA_LONG, T_CURSOR_TICK);
            // the new head lies behind a walk in progress; walk the slot again so it is seen
            hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
        }
        int slot = (int) tick & WHEEL_MASK;
        int h = wheel.getAtIndex(JAVA_INT, slot);
        sessions.set(JAVA_INT, o + S_WHEEL_PREV, -(slot + 2));
        sessions.set(JAVA_INT, o + S_WHEEL_NEXT, h);
        if (h != -1) {
            si(sessions, h, S_WHEEL_PREV, s);
        }
        wheel.setAtIndex(JAVA_INT, slot, s);
        sflags(sessions, s, sflags(sessions, s) | ON_WHEEL);
        hdr.set(JAVA_INT, T_SCHEDULED, hdr.get(JAVA_INT, T_SCHEDULED) + 1);
    }

    /** Takes {@code s} off the wheel if it is on it. */
    void unschedule(int s) {
        if ((sflags(sessions, s) & ON_WHEEL) != 0) {
            unlinkWheel(s);
        }
    }

    private void unlinkWheel(int s) {
        int prev = si(sessions, s, S_WHEEL_PREV), next = si(sessions, s, S_WHEEL_NEXT);
        if (s == hdr.get(JAVA_INT, T_CURSOR_NODE)) {
            hdr.set(JAVA_INT, T_CURSOR_NODE, next == -1 ? AT_END : next);
        }
        if (prev >= 0) {
            si(sessions, prev, S_WHEEL_NEXT, next);
        } else {
            wheel.setAtIndex(JAVA_INT, -(prev + 2), next);
        }
        if (next != -1) {
            si(sessions, next, S_WHEEL_PREV, prev);
        }
        si(sessions, s, S_WHEEL_PREV, -1);
        si(sessions, s, S_WHEEL_NEXT, -1);
        sflags(sessions, s, sflags(sessions, s) & ~ON_WHEEL);
        hdr.set(JAVA_INT, T_SCHEDULED, hdr.get(JAVA_INT, T_SCHEDULED) - 1);
    }

    /** The due time last given to {@link #schedule}, 0 if never. */
    long due(int s) {
        return sessions.get(JAVA_LONG, s * S_BYTES + S_DUE);
    }

    /** Whether {@code s} is on the wheel. */
    boolean isScheduled(int s) {
        return (sflags(sessions, s) & ON_WHEEL) != 0;
    }

    /** Sessions on the wheel. */
    int scheduled() {
        return hdr.get(JAVA_INT, T_SCHEDULED);
    }

    /**
     * A session whose due time is at or before {@code now}, taken off the wheel (it stays live), or -1.
     * Walks the slots from where the last call stopped up to {@code now}'s slot; a session of a later
     * revolution stays where it is. Never returns a session early. Examines at most
     * {@link SessionTable#POLL_BUDGET} sessions and {@link SessionLayout#WHEEL_SLOTS} slot heads, so -1 can also mean "not finished, call again": the expiry loop calls it until -1 on each
     * tick and catches up over the following ticks.
     */
    int pollDue(long now) {
        long nowTick = now >> TICK_SHIFT;
        if (hdr.get(JAVA_BYTE, T_CURSOR_SET) == 0 || nowTick - hdr.get(JAVA_LONG, T_CURSOR_TICK) > WHEEL_MASK) {
            // first call, or idle for more than a revolution: one visit of each slot sees every node
            hdr.set(JAVA_BYTE, T_CURSOR_SET, (byte) 1);
            hdr.set(JAVA_LONG, T_CURSOR_TICK, nowTick - WHEEL_MASK);
            hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
            hdr.set(JAVA_BYTE, T_WALK_PAST, (byte) 0);
        }
        if (hdr.get(JAVA_INT, T_SCHEDULED) == 0) {
            if (hdr.get(JAVA_LONG, T_CURSOR_TICK) < nowTick) {
                hdr.set(JAVA_LONG, T_CURSOR_TICK, nowTick);
                hdr.set(JAVA_INT, T_CURSOR_NODE, AT_END);
                hdr.set(JAVA_BYTE, T_WALK_PAST, (byte) 0);
                hdr.set(JAVA_BYTE, T_SKIPPED_IN_TICK, (byte) 0);
            }
            return -1;
        }
        if (hdr.get(JAVA_LONG, T_CURSOR_TICK) < nowTick && hdr.get(JAVA_BYTE, T_WALK_PAST) == 0) {
            // the slot was walked while its tick was current; nodes skipped then may be due now
            hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
        }
        if (hdr.get(JAVA_INT, T_CURSOR_NODE) == AT_END && hdr.get(JAVA_LONG, T_CURSOR_TICK) == nowTick
                && hdr.get(JAVA_BYTE, T_SKIPPED_IN_TICK) != 0 && now - hdr.get(JAVA_LONG, T_SKIPPED_MIN_DUE) >= 0) {
            hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
        }
        int budget = SessionTable.POLL_BUDGET;
        while (hdr.get(JAVA_LONG, T_CURSOR_TICK) <= nowTick) {
            int s;
            if (hdr.get(JAVA_INT, T_CURSOR_NODE) == FROM_HEAD) {
                s = wheel.getAtIndex(JAVA_INT, (int) hdr.get(JAVA_LONG, T_CURSOR_TICK) & WHEEL_MASK);
                hdr.set(JAVA_BYTE, T_WALK_PAST, (byte) (hdr.get(JAVA_LONG, T_CURSOR_TICK) < nowTick ? 1 : 0));
                hdr.set(JAVA_BYTE, T_SKIPPED_IN_TICK, (byte) 0);
            } else if (hdr.get(JAVA_INT, T_CURSOR_NODE) == AT_END) {
                s = -1;
            } else {
                s = hdr.get(JAVA_INT, T_CURSOR_NODE);
            }
            while (s != -1) {
                if (--budget < 0) {
                    hdr.set(JAVA_INT, T_CURSOR_NODE, s);
                    return -1;
                }
                long d = due(s);
                if (d - now <= 0) {
                    // unlinkWheel moves the cursor past s
                    hdr.set(JAVA_INT, T_CURSOR_NODE, s);
                    unlinkWheel(s);
                    return s;
                }
                if ((d >> TICK_SHIFT) <= hdr.get(JAVA_LONG, T_CURSOR_TICK)
                        && (hdr.get(JAVA_BYTE, T_SKIPPED_IN_TICK) == 0
                                || d - hdr.get(JAVA_LONG, T_SKIPPED_MIN_DUE) < 0)) {
                    hdr.set(JAVA_BYTE, T_SKIPPED_IN_TICK, (byte) 1);
                    hdr.set(JAVA_LONG, T_SKIPPED_MIN_DUE, d);
                }
                s = si(sessions, s, S_WHEEL_NEXT);
            }
            if (hdr.get(JAVA_LONG, T_CURSOR_TICK) == nowTick) {
                hdr.set(JAVA_INT, T_CURSOR_NODE, AT_END);
                return -1;
            }
            // empty or finished slots cost one read each and the cursor is never more than one
            // revolution behind, so advancing is bounded by WHEEL_SLOTS without spending the budget
            hdr.set(JAVA_LONG, T_CURSOR_TICK, hdr.get(JAVA_LONG, T_CURSOR_TICK) + 1);
            hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
        }
        return -1;
    }

}
