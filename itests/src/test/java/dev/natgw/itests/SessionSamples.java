package dev.natgw.itests;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which NAT sessions a bundle update had to keep, judged from two samples of the session list: one taken just before
 * the update, one after it.
 *
 * <p>
 * A session is <em>required</em> when, at the first sample, it had more life left (the idle timeout less its idle
 * time) than the time until the end of the second sample plus {@link #MARGIN_MILLIS}: then only a loss explains its
 * absence, since the NAT never ends a session before its last packet plus the idle timeout. A required session must be
 * in the second sample under the same identity (protocol, inside, outside, remote) and at least as old as the time
 * between the samples says: a younger one is a new session that took the place of a lost one. The flow kept alive
 * across the update is always required. The others may have expired on their idle timeout while the update ran: they
 * are counted, not required. All the flows of {@link BundleUpdateIT} are ICMP echo, so one timeout applies to all.
 */
final class SessionSamples {
    /**
     * Slack, in ms, on the required life and on the age of a kept session. The timer wheel needs none: its slots are
     * 2^24 ns (16.8 ms) wide, but a worker takes a session off it only once its due time has passed and deletes it only
     * if its last packet plus the timeout has too, so the slot width makes expiry late, never early. What the slack
     * covers is the workers' clock: a worker reads the time at the start of a turn of its loop and answers the list
     * request in that turn's tick, so a session's idle time may be measured from a reading up to one turn (a burst,
     * and any preemption on a loaded machine) before the test read its own clock; and idleMillis is truncated to whole
     * ms. One second is 60 wheel slots and 1,000 tick intervals, far more than one turn even with stress-ng on every
     * core, and a tenth of the test's ICMP timeout, so the one-ping flows stay required when an update takes seconds.
     */
    static final long MARGIN_MILLIS = 1_000;

    /** More sessions than the test ever makes. */
    static final int LIMIT = 10_000;

    private SessionSamples() {
    }

    /**
     * A session's identity: what the NAT finds it by.
     *
     * @param protocol the protocol
     * @param inside the inside endpoint
     * @param outside the outside endpoint
     * @param remote the remote endpoint
     */
    record Flow(Protocol protocol, Endpoint inside, Endpoint outside, Endpoint remote) {
        static Flow of(SessionInfo s) {
            return new Flow(s.protocol(), s.inside(), s.outside(), s.remote());
        }

        @Override
        public String toString() {
            return protocol + " " + inside + " as " + outside + " to " + remote;
        }
    }

    /**
     * The session list and when it was read.
     *
     * @param startNanos {@link System#nanoTime()} just before the request
     * @param endNanos {@link System#nanoTime()} once every worker had answered
     * @param sessions the sessions
     */
    record Sample(long startNanos, long endNanos, List<SessionInfo> sessions) {
        static Sample take(NatService nat) {
            long start = System.nanoTime();
            List<SessionInfo> s = nat.sessions(SessionFilter.ALL, LIMIT);
            return new Sample(start, System.nanoTime(), List.copyOf(s));
        }

        Map<Flow, SessionInfo> byFlow() {
            Map<Flow, SessionInfo> m = new LinkedHashMap<>();
            for (SessionInfo s : sessions) {
                m.put(Flow.of(s), s);
            }
            return m;
        }
    }

    /**
     * What the update did to the sessions of the first sample.
     *
     * @param before sessions in the first sample
     * @param after sessions in the second
     * @param millis from the start of the first sample to the end of the second
     * @param required sessions of the first sample required in the second, besides the kept-alive flow
     * @param expired sessions not required and gone: ended on their idle timeout
     * @param outlived sessions not required and still there
     * @param lost what an update must not do: each required session gone or replaced
     */
    record Verdict(int before, int after, long millis, int required, int expired, int outlived, List<String> lost) {
        /** {@return a line for the test's output} */
        String summary() {
            return String.format("of %d sessions before the update, %d had more than %d ms (%d ms between the samples"
                    + " and %d ms of margin) of life left and were required besides the kept-alive flow, %d expired"
                    + " on their idle timeout, %d outlived it; %d after%s", before, required, millis + MARGIN_MILLIS,
                    millis, MARGIN_MILLIS, expired, outlived, after, required == 0
                            ? "; the update outlasted every other flow: the step checked only the kept-alive flow"
                            : "");
        }
    }

    /**
     * Judges an update.
     *
     * @param before the sample taken just before the update
     * @param after the sample taken after it
     * @param timeout the idle timeout of the sessions
     * @param keptAlive the flow that sent packets all through the update
     * @return the verdict
     */
    static Verdict judge(Sample before, Sample after, Duration timeout, Flow keptAlive) {
        Map<Flow, SessionInfo> then = before.byFlow();
        Map<Flow, SessionInfo> now = after.byFlow();
        long millis = (after.endNanos() - before.startNanos()) / 1_000_000;
        // the least time the workers' clocks can have moved between the two readings, before the margin
        long between = (after.startNanos() - before.endNanos()) / 1_000_000;
        int required = 0;
        int expired = 0;
        int outlived = 0;
        List<String> lost = new ArrayList<>();
        if (!then.containsKey(keptAlive)) {
            lost.add(keptAlive + ": the kept-alive flow was not there before the update");
        }
        for (Map.Entry<Flow, SessionInfo> e : then.entrySet()) {
            SessionInfo s = e.getValue();
            long left = timeout.toMillis() - s.idleMillis();
            boolean kept = e.getKey().equals(keptAlive);
            SessionInfo a = now.get(e.getKey());
            if (!kept && left <= millis + MARGIN_MILLIS) {
                if (a == null) {
                    expired++;
                } else {
                    outlived++;
                }
                continue;
            }
            required += kept ? 0 : 1;
            String what = (kept ? "the kept-alive flow " : "") + e.getKey();
            if (a == null) {
                lost.add(what + ": gone, with " + left + " ms of life left " + millis + " ms before");
            } else if (a.ageMillis() < s.ageMillis() + between - MARGIN_MILLIS) {
                lost.add(what + ": replaced by a new session, " + a.ageMillis() + " ms old after the update, "
                        + s.ageMillis() + " ms old " + between + " ms before");
            }
        }
        return new Verdict(then.size(), now.size(), millis, required, expired, outlived, List.copyOf(lost));
    }
}
