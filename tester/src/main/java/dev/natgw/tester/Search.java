package dev.natgw.tester;

import java.util.function.LongPredicate;

/**
 * RFC 2544's binary search, as RFC 9693 uses it for every rate and for the table capacity: the largest value in
 * {@code (0, high]} at which a trial passes. The first trial runs at the high end; each next one halves the interval
 * between the highest pass and the lowest failure, until that interval is within the resolution or the steps run out.
 */
public final class Search {
    private Search() {
    }

    /**
     * @param trial runs one trial at a value and says whether it passed
     * @param low a value assumed to pass without a trial (0 for none)
     * @param high the highest value to try
     * @param resolution the interval, as a fraction of the high end, at which the search stops
     * @param maxSteps the most trials to run
     * @return the highest value that passed, or low if none did
     */
    public static long highestPassing(LongPredicate trial, long low, long high, double resolution, int maxSteps) {
        if (high <= low || maxSteps < 1) {
            throw new IllegalArgumentException("need low < high and at least one step");
        }
        if (trial.test(high)) {
            return high;
        }
        return between(trial, low, high, resolution, maxSteps - 1);
    }

    /**
     * The search between a value known to pass and one known to fail, neither tried again.
     *
     * @return the highest value that passed, pass if none between did
     */
    public static long between(LongPredicate trial, long pass, long fail, double resolution, int maxSteps) {
        long high = fail;
        long stop = Math.max(1, (long) (resolution * high));
        for (int step = 0; step < maxSteps && fail - pass > stop; step++) {
            long mid = pass + (fail - pass) / 2;
            if (trial.test(mid)) {
                pass = mid;
            } else {
                fail = mid;
            }
        }
        return pass;
    }
}
