package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.SessionRow;

/**
 * The control requests of one worker: takes a {@link WorkerRequest} from the engine's mailbox and works on it in
 * the worker's ticks (listing or clearing sessions, at most {@link NatWorker#SCAN_PER_TICK} per tick, or
 * reserving a static mapping's port), writing the answer into the request's primitive arrays. Runs on exactly one
 * worker thread; allocation-free, lock-free.
 */
final class WorkerControl {
    private final NatWorker w;
    private final NatEngine engine;
    private final SessionTable table;
    private final int id;
    /** The request being worked on, or null; and the session index where its scan goes on. */
    private WorkerRequest current;
    private int cursor;

    WorkerControl(NatWorker w, NatEngine engine) {
        this.w = w;
        this.engine = engine;
        this.table = w.table;
        this.id = w.id;
    }

    /** Takes a request if none is open and works on it; true once it is answered (then call {@link #complete}). */
    boolean work(NatSnapshot snap, long now) {
        if (current == null) {
            current = engine.takeRequest(id);
            cursor = 0;
        }
        return current != null && answer(current, snap, now);
    }

    /** Tells the control thread the answered request is complete; after the counters are published. */
    void complete() {
        current.complete();
        current = null;
    }

    /** Works on a control request for at most {@link NatWorker#SCAN_PER_TICK} sessions; true once it is answered. */
    private boolean answer(WorkerRequest r, NatSnapshot snap, long now) {
        switch (r.kind) {
            case WorkerRequest.RESERVE, WorkerRequest.UNRESERVE -> {
                r.count = portChange(r.kind, r.protocol, r.poolSlot, r.addrIndex, r.port, snap) ? 1 : 0;
                return true;
            }
            default -> {
                int scanned = 0;
                int s = table.nextLive(cursor);
                while (s >= 0 && scanned < NatWorker.SCAN_PER_TICK && r.count < r.limit) {
                    int next = table.nextLive(s + 1);
                    if (matches(r, s)) {
                        if (r.kind == WorkerRequest.LIST) {
                            copy(r, s, now);
                        } else {
                            w.deleteSession(s, now, snap);
                        }
                        r.count++;
                    }
                    scanned++;
                    s = next;
                }
                cursor = s;
                return s < 0 || r.count >= r.limit;
            }
        }
    }

    /** Reserves or unreserves a port in this worker's allocator of a pool slot; false if it holds no such port. */
    boolean portChange(int kind, int proto, int poolSlot, int addrIndex, int port, NatSnapshot snap) {
        PoolRuntime p = poolSlot >= 0 && poolSlot < snap.slots().length ? snap.slots()[poolSlot] : null;
        if (p == null) {
            return false;
        }
        if (kind == WorkerRequest.RESERVE) {
            return p.reserve(id, proto, addrIndex, port);
        }
        p.unreserve(id, proto, addrIndex, port);
        return true;
    }

    private boolean matches(WorkerRequest r, int s) {
        int mp = table.mapping(s);
        return (r.protocol == 0 || r.protocol == table.mProto(mp)) && (!r.hasInside || r.inside == table.mInAddr(mp))
                && (!r.hasRemote || r.remote == table.remAddr(s)) && (r.poolSlot < 0 || r.poolSlot == w.slot(mp));
    }

    private void copy(WorkerRequest r, int s, long now) {
        int mp = table.mapping(s);
        long[] row = r.rows;
        int o = r.count * SessionRow.FIELDS;
        row[o + SessionRow.PROTOCOL] = table.mProto(mp);
        row[o + SessionRow.INSIDE_ADDR] = table.mInAddr(mp);
        row[o + SessionRow.INSIDE_PORT] = table.mInPort(mp);
        row[o + SessionRow.OUTSIDE_ADDR] = table.mOutAddr(mp);
        row[o + SessionRow.OUTSIDE_PORT] = table.mOutPort(mp);
        row[o + SessionRow.REMOTE_ADDR] = table.remAddr(s);
        row[o + SessionRow.REMOTE_PORT] = table.remPort(s);
        row[o + SessionRow.STATE] = table.state(s);
        row[o + SessionRow.IDLE_NANOS] = Math.max(0, now - table.lastSeen(s));
        row[o + SessionRow.POOL_SLOT] = w.slot(mp);
        row[o + SessionRow.WORKER] = id;
        row[o + SessionRow.AGE_NANOS] = Math.max(0, now - table.created(s));
    }
}
