package dev.natgw.tester;

import java.io.PrintStream;
import java.util.Locale;

/**
 * RFC 9693's measurement procedures on top of the {@link Tester}: each one a binary search ({@link Search}) over
 * trials, each trial printed as one {@code trial ...} line and each result as one {@code measure NAME VALUE} line.
 *
 * <p>
 * Every connection-establishment and capacity trial uses a block of flows (tuples) no earlier trial used, and also
 * empties the gateway's table first when the {@link Dut} can; a throughput trial runs the preliminary phase on its
 * one block before its test phase, as the RFC's two phases.
 */
public final class Procedures {
    private final Tester tester;
    private final Dut dut;
    private final Settings s;
    private final PrintStream out;
    private Flows lastBlock;

    /**
     * @param insideHost the inside host's address (the flows' source)
     * @param dstBase the first destination address of the flows
     * @param safeRate the rate (frames/s) of preliminary and validation frames where the procedure is not measuring
     *     them: low enough that the gateway loses none
     * @param maxRate the highest rate a search tries, per direction
     * @param seconds the test phase of a throughput trial
     * @param resolution the search's stopping interval, as a fraction of the highest value
     * @param steps the most trials per search
     */
    public record Settings(int insideHost, int dstBase, long safeRate, long maxRate, double seconds, double resolution,
            int steps) {
    }

    public Procedures(Tester tester, Dut dut, Settings settings, PrintStream out) {
        this.tester = tester;
        this.dut = dut;
        this.s = settings;
        this.out = out;
    }

    /**
     * Runs the send and receive paths untimed on a block of their own until the JIT has compiled them (the first
     * frames of a cold JVM go through the interpreter at a fraction of the rate), then empties the table again.
     */
    public void warmUp(int frameLength) {
        if (warm) {
            return;
        }
        Flows f = fresh(2000);
        for (int i = 0; i < 5; i++) {
            tester.establish(f, s.safeRate(), frameLength);
            tester.validate(f, s.safeRate(), frameLength);
        }
        if (dut.canFlush()) {
            dut.flush();
        }
        warm = true;
    }

    private boolean warm;

    private Flows fresh(int count) {
        Flows f = lastBlock == null
                ? new Flows(count, s.insideHost(), s.dstBase(), 0)
                : new Flows(count, s.insideHost(), s.dstBase(), lastBlock.offset + lastBlock.count);
        lastBlock = f;
        return f;
    }

    private void trial(String what, long value, Tester.Result r, boolean pass) {
        out.printf(Locale.ROOT, "trial %s %s %d: %s in %.2f s -> %s%n", dut.name(), what, value, r, r.seconds(),
                pass ? "pass" : "fail");
        out.flush();
    }

    private void measure(String name, long value) {
        out.printf(Locale.ROOT, "measure %s %d%n", name, value);
        out.flush();
    }

    private boolean gatewayFailed;
    /** The highest rate per direction a tester-limited trial actually sent without losing a frame. */
    private long achieved;
    /** The lowest rate per direction at which a trial lost or refused frames. */
    private long lossAt = Long.MAX_VALUE;

    /**
     * A trial the tester could not pace (it fell behind its schedule) but whose every frame came through still shows
     * the gateway forwarding without loss at the rate the tester did reach: that rate counts as passed, and the search
     * reports it (with a {@code measure-bound} line) when the targets it passed were lower.
     */
    private void lossless(Tester.Result r, long sent) {
        if (r.seconds() <= 0) {
            return;
        }
        long rate = (long) (sent / r.seconds());
        if (r.lost() != 0 || r.invalid() != 0) {
            lossAt = Math.min(lossAt, rate);
        } else if (r.testerLimited()) {
            achieved = Math.max(achieved, rate);
        }
    }

    /** {@return the search's result, or the rate a lossless tester-limited trial reached if that is higher and below
     * every rate at which a trial lost frames} */
    private long passed(long searched) {
        long result = achieved > searched && achieved < lossAt ? achieved : searched;
        achieved = 0;
        lossAt = Long.MAX_VALUE;
        return result;
    }

    /**
     * Says when a rate search's result is the tester's limit rather than the gateway's: no trial lost or refused a
     * frame, the higher ones only fell behind their schedule. Resets for the next search.
     */
    private void bound(String name, long found) {
        if (!gatewayFailed && found < s.maxRate()) {
            out.printf(Locale.ROOT, "measure-bound %s tester: no trial lost a frame; the tester could not send faster"
                    + " (a lower bound of the gateway's)%n", name);
        }
        gatewayFailed = false;
    }

    /** {@return "1k", "64k", "1M"... for a flow count} */
    static String label(int flows) {
        if (flows >= 1 << 20 && flows % (1 << 20) == 0 || flows >= 1_000_000 && flows % 1_000_000 == 0) {
            return (flows % 1_000_000 == 0 ? flows / 1_000_000 : flows >> 20) + "M";
        }
        if (flows >= 1000 && (flows % 1000 == 0 || flows % 1024 == 0)) {
            return (flows % 1000 == 0 ? flows / 1000 : flows / 1024) + "k";
        }
        return Integer.toString(flows);
    }

    /**
     * Throughput with pre-established connections (RFC 9693 section 4.x, after RFC 2544 26.1): the highest rate, the
     * same in both directions, at which a test phase of pseudorandomly chosen established flows loses no frame and
     * every received frame passes the checks.
     *
     * @return the zero-loss rate in frames/s, both directions together
     */
    public long throughput(int flows, int frameLength) {
        warmUp(frameLength);
        Flows f = fresh(flows);
        if (dut.canFlush()) {
            dut.flush();
        }
        String what = "throughput-" + (frameLength + 4) + "B-" + label(flows);
        gatewayFailed = false;
        long perDirection = Search.highestPassing(rate -> {
            Tester.Result pre = tester.establish(f, s.safeRate(), frameLength);
            if (pre.okForward() != f.count) {
                // connections missing before the test phase: the trial cannot say anything about the rate
                trial(what + "-preliminary", s.safeRate(), pre, false);
                return false;
            }
            Tester.Result r = tester.traffic(f, rate, frameLength, s.seconds(), true, true);
            boolean pass = r.lost() == 0 && r.invalid() == 0 && !r.testerLimited();
            trial(what, rate, r, pass);
            gatewayFailed |= r.lost() != 0 || r.invalid() != 0;
            lossless(r, r.sentForward());
            return pass;
        }, 0, s.maxRate(), s.resolution(), s.steps());
        perDirection = passed(perDirection);
        long total = 2 * perDirection;
        String name = "zero-loss-" + (frameLength + 4) + "B-" + label(flows) + "-pps";
        measure(name, total);
        bound(name, perDirection);
        return total;
    }

    /**
     * Maximum connection establishment rate: the highest rate of preliminary frames, each opening a new
     * connection, at which all of them reach the responder and, sent back at the safe rate, all the responder's
     * validation frames reach the initiator through the connections they opened.
     *
     * @return connections/s
     */
    public long establishmentRate(int flows) {
        warmUp(Frames.MIN);
        gatewayFailed = false;
        long rate = Search.highestPassing(r -> {
            if (dut.canFlush()) {
                dut.flush();
            }
            Flows f = fresh(flows);
            Tester.Result e = tester.establish(f, r, Frames.MIN);
            boolean clean = e.okForward() == f.count && e.invalid() == 0;
            trial("establish-" + label(flows), r, e, clean && !e.testerLimited());
            gatewayFailed |= e.lost() != 0 || e.invalid() != 0;
            if (!clean) {
                lossless(e, e.sentForward());
                return false;
            }
            Tester.Result v = tester.validate(f, s.safeRate(), Frames.MIN);
            // the validation runs at the safe rate: only whether every frame came back counts, not the pacing
            boolean valid = v.okReverse() == f.count && v.invalid() == 0;
            trial("establish-" + label(flows) + "-validation", s.safeRate(), v, valid);
            gatewayFailed |= !valid;
            if (valid) {
                lossless(e, e.sentForward());
            } else {
                lossAt = Math.min(lossAt, r);
            }
            return valid && !e.testerLimited();
        }, 0, s.maxRate(), s.resolution(), s.steps());
        rate = passed(rate);
        measure("connection-establishment-rate", rate);
        bound("connection-establishment-rate", rate);
        return rate;
    }

    /**
     * Connection-table capacity: the most connections that, opened at the safe rate, all still carry a validation
     * frame back. The count doubles from start until a trial fails or max is reached, then a binary search between
     * the last pass and the first failure.
     *
     * @return connections
     */
    public long capacity(int start, int max) {
        warmUp(Frames.MIN);
        java.util.function.LongPredicate fits = n -> {
            if (dut.canFlush()) {
                dut.flush();
            }
            Flows f = fresh((int) n);
            Tester.Result e = tester.establish(f, s.safeRate(), Frames.MIN);
            boolean pass = e.okForward() == f.count && e.invalid() == 0;
            trial("capacity-establish", n, e, pass);
            if (!pass) {
                return false;
            }
            Tester.Result v = tester.validate(f, s.safeRate(), Frames.MIN);
            pass = v.okReverse() == f.count && v.invalid() == 0;
            trial("capacity-validation", n, v, pass);
            return pass;
        };
        long pass = 0;
        long n = start;
        while (n <= max && fits.test(n)) {
            pass = n;
            n = 2 * n;
        }
        long result;
        if (pass == 0) {
            result = 0;
        } else if (n > max) {
            result = pass; // the capacity is at least max: the tester does not look further
        } else {
            result = Search.between(fits, pass, n, s.resolution(), s.steps());
        }
        measure("connection-table-capacity", result);
        return result;
    }

    /**
     * Connection tear-down rate: connections opened at the safe rate, then the time the gateway takes to delete its
     * full table, less the time it takes to "delete" an empty one (the command's own cost).
     *
     * @return connections deleted per second, or -1 when the gateway has no way to delete its table on command
     */
    public long teardownRate(int flows) {
        if (!dut.canFlush()) {
            out.println("measure-skipped connection-teardown-rate: " + dut.name()
                    + " has no command that deletes its connections");
            return -1;
        }
        warmUp(Frames.MIN);
        // three fills and deletions, the median reported: one deletion is a single short timing
        long[] rates = new long[3];
        for (int i = 0; i < rates.length; i++) {
            dut.flush();
            Flows f = fresh(flows);
            Tester.Result e = tester.establish(f, s.safeRate(), Frames.MIN);
            trial("teardown-fill", flows, e, e.okForward() == f.count);
            long t0 = System.nanoTime();
            dut.flush();
            long full = System.nanoTime() - t0;
            t0 = System.nanoTime();
            dut.flush();
            long empty = System.nanoTime() - t0;
            out.printf(Locale.ROOT, "trial %s teardown %d: full table %.3f ms, empty table %.3f ms%n", dut.name(),
                    e.okForward(), full / 1e6, empty / 1e6);
            rates[i] = full > empty ? (long) (e.okForward() * 1e9 / (full - empty)) : -1;
        }
        java.util.Arrays.sort(rates);
        long rate = rates[1];
        measure("connection-teardown-rate", rate);
        return rate;
    }
}
