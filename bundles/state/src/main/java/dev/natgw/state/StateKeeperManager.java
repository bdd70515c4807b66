package dev.natgw.state;

import dev.natgw.api.state.DepositInfo;
import dev.natgw.api.state.HandOverRecord;
import dev.natgw.api.state.HandOverRecord.Outcome;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.api.state.StateKeeper;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's {@link StateKeeper}: holds off-heap state between two revisions of the bundle that owns
 * it. It lives in natgw-state, a bundle that imports nothing from other natgw bundles, so no natgw
 * update (not even one of natgw-api, which refreshes every other natgw bundle) touches it, and what it holds
 * outlives the depositor's class loader. Closes the arenas of unclaimed deposits when it stops. Thread-safe.
 *
 * <p>
 * Immediate: a delayed component would be disposed the moment its last user (the stopping NAT, right after
 * its deposit) releases the service, taking every deposit with it before the next revision could claim it.
 */
@Component(service = StateKeeper.class, immediate = true)
public final class StateKeeperManager implements StateKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(StateKeeperManager.class);

    private record Held(StateDeposit deposit, Instant at) {
    }

    /** How many ended deposits {@link #history()} remembers. */
    static final int HISTORY = 32;

    private final Map<String, Held> held = new LinkedHashMap<>();
    /** Ended deposits, newest first; under {@link #held}'s lock. */
    private final ArrayDeque<HandOverRecord> history = new ArrayDeque<>(HISTORY);
    private final Clock clock;

    /** Makes the keeper, with the system clock for deposit times. */
    public StateKeeperManager() {
        this(Clock.systemUTC());
    }

    StateKeeperManager(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void deposit(StateDeposit deposit) {
        Held old;
        synchronized (held) {
            Instant now = clock.instant();
            old = held.put(deposit.owner(), new Held(deposit, now));
            if (old != null) {
                ended(old, now, Outcome.REPLACED);
            }
        }
        if (old != null) {
            int n = old.deposit().close();
            LOG.warn("state of {} deposited again before anyone claimed it; the earlier deposit's {} arenas closed",
                    deposit.owner(), n);
        }
        LOG.info("state of {} deposited: layout {}, {} segments, {} bytes", deposit.owner(), deposit.layoutVersion(),
                deposit.segments().size(), deposit.bytes());
    }

    @Override
    public StateDeposit claim(String owner) {
        Held h;
        synchronized (held) {
            h = held.remove(owner);
            if (h != null) {
                ended(h, clock.instant(), Outcome.CLAIMED);
            }
        }
        if (h == null) {
            return null;
        }
        LOG.info("state of {} claimed: layout {}, {} bytes", owner, h.deposit().layoutVersion(), h.deposit().bytes());
        return h.deposit();
    }

    @Override
    public List<DepositInfo> deposits() {
        List<DepositInfo> out = new ArrayList<>();
        synchronized (held) {
            for (Held h : held.values()) {
                StateDeposit d = h.deposit();
                out.add(new DepositInfo(d.owner(), d.layoutVersion(), d.segments().size(), d.arenas().size(),
                        d.bytes(), h.at()));
            }
        }
        return out;
    }

    @Override
    public List<HandOverRecord> history() {
        synchronized (held) {
            return List.copyOf(history);
        }
    }

    /** Remembers how a deposit ended; under {@link #held}'s lock. */
    private void ended(Held h, Instant at, Outcome outcome) {
        StateDeposit d = h.deposit();
        if (history.size() == HISTORY) {
            history.removeLast();
        }
        history.addFirst(new HandOverRecord(d.owner(), d.layoutVersion(), d.bytes(), h.at(), at, outcome));
    }

    /** Closes the arenas of every deposit nobody claimed. */
    @Deactivate
    public void close() {
        List<Held> left;
        synchronized (held) {
            left = new ArrayList<>(held.values());
            held.clear();
            for (Held h : left) {
                ended(h, clock.instant(), Outcome.CLOSED);
            }
        }
        for (Held h : left) {
            int n = h.deposit().close();
            LOG.info("state of {} was never claimed; {} arenas ({} bytes) closed", h.deposit().owner(), n,
                    h.deposit().bytes());
        }
    }
}
