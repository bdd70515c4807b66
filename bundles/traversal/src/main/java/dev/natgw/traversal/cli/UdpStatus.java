package dev.natgw.traversal.cli;

import dev.natgw.traversal.udp.UdpCounters;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code expose --udp} and {@code forward --udp} tell on standard error, at most once per {@link #PERIOD_MS}: the
 * last flow error (and how many more came), and the counters when something was refused, dropped or failed. A peer
 * that makes errors as fast as it can makes one line per period, not one per error.
 */
final class UdpStatus {
    static final long PERIOD_MS = 2000;

    private final PrintStream err;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicLong errors = new AtomicLong();

    UdpStatus(PrintStream err) {
        this.err = err;
    }

    /** Records a flow's error, to be told at the next period. */
    void failed(IOException e) {
        lastError.set(e.getMessage());
        errors.incrementAndGet();
    }

    /** Tells, every period until interrupted, what changed in counters. */
    void report(UdpCounters counters) {
        long shownTrouble = 0;
        try {
            while (true) {
                Thread.sleep(PERIOD_MS);
                String error = lastError.getAndSet(null);
                long n = errors.getAndSet(0);
                if (error != null) {
                    err.println("natgw-traversal: udp flow ended: " + error + (n > 1
                            ? " (and " + (n - 1)
                                    + " more flow errors)"
                            : ""));
                }
                long trouble = counters.flowsRefused() + counters.flowsFailed() + counters.datagramsDropped()
                        + counters.datagramsTooLarge();
                if (trouble != shownTrouble) {
                    err.println("natgw-traversal: udp: " + counters);
                    shownTrouble = trouble;
                }
                err.flush();
            }
        } catch (InterruptedException e) {
            // done
        }
    }
}
