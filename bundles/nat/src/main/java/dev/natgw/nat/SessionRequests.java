package dev.natgw.nat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.fastpath.NatSnapshot;
import dev.natgw.nat.fastpath.WorkerRequest;
import dev.natgw.nat.handover.SessionRow;
import dev.natgw.nat.handover.TcpStateCodes;
import java.util.ArrayList;
import java.util.List;

/**
 * Session lists and clears, asked of the workers through their mailboxes ({@code NatService.sessions},
 * {@code NatAdminService.clearSessions}): one request per worker, answered between two bursts in primitive rows.
 * Control plane; takes the manager's lock only to read a pool's slot.
 */
final class SessionRequests {
    private final NatManager m;

    SessionRequests(NatManager m) {
        this.m = m;
    }

    int clear(SessionFilter filter) {
        NatEngine e = m.stage.live();
        if (e == null) {
            return 0;
        }
        int total = 0;
        for (int w = 0; w < e.workers(); w++) {
            WorkerRequest r = request(WorkerRequest.CLEAR, filter, Integer.MAX_VALUE);
            if (r == null) {
                return total;
            }
            m.mailbox.ask(e, w, r);
            total += r.count();
        }
        return total;
    }

    List<SessionInfo> list(SessionFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        NatEngine e = m.stage.live();
        List<SessionInfo> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        String[] names = m.poolSlots.names();
        for (int w = 0; w < e.workers() && out.size() < limit; w++) {
            WorkerRequest r = request(WorkerRequest.LIST, filter, limit - out.size());
            if (r == null) {
                break;
            }
            m.mailbox.ask(e, w, r);
            for (int k = 0; k < r.count(); k++) {
                Protocol proto = Protocol.ofNumber((int) r.field(k, SessionRow.PROTOCOL));
                int slot = (int) r.field(k, SessionRow.POOL_SLOT);
                long idle = r.field(k, SessionRow.IDLE_NANOS);
                out.add(new SessionInfo(proto,
                        new Endpoint((int) r.field(k, SessionRow.INSIDE_ADDR),
                                (int) r.field(k, SessionRow.INSIDE_PORT)),
                        new Endpoint((int) r.field(k, SessionRow.OUTSIDE_ADDR),
                                (int) r.field(k, SessionRow.OUTSIDE_PORT)),
                        new Endpoint((int) r.field(k, SessionRow.REMOTE_ADDR),
                                (int) r.field(k, SessionRow.REMOTE_PORT)),
                        proto == Protocol.TCP
                                ? TcpStateCodes.toState((int) r.field(k, SessionRow.STATE))
                                : TcpState.NONE,
                        idle / 1_000_000, (int) r.field(k, SessionRow.WORKER),
                        slot == NatSnapshot.STATIC_SLOT ? null : names[slot],
                        Math.max(idle, r.field(k, SessionRow.AGE_NANOS)) / 1_000_000));
            }
        }
        return out;
    }

    /** Makes a LIST or CLEAR request from a filter; null when the filter names a pool that does not exist. */
    private WorkerRequest request(int kind, SessionFilter filter, int limit) {
        int slot = -1;
        if (filter.pool() != null) {
            synchronized (m.lock) {
                Integer s = m.poolSlots.slotOf.get(filter.pool());
                if (s == null) {
                    return null;
                }
                slot = s;
            }
        }
        int proto = filter.protocol() == null ? 0 : filter.protocol().number();
        int rows = kind == WorkerRequest.LIST ? Math.min(limit, 1_000_000) : limit;
        return WorkerRequest.sessions(kind, proto, filter.insideAddress(), filter.remoteAddress(), slot, rows);
    }
}
