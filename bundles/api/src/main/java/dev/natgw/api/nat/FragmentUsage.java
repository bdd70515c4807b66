package dev.natgw.api.nat;

/**
 * The fragment state one worker keeps: datagrams whose fragments it tracks and fragments it holds while their
 * datagram's first fragment has not come. Gauges, as the worker last published them (about once a second).
 *
 * @param worker the worker, at least 0
 * @param datagrams datagrams tracked now, at least 0
 * @param held fragment buffers held now (waiting for their first fragment, or to be sent), at least 0
 * @param tableBytes heap bytes of the worker's fragment table, 0 before the worker's first run
 * @since 1.5
 */
public record FragmentUsage(int worker, long datagrams, long held, long tableBytes) {
    /** Validates. */
    public FragmentUsage {
        Checks.nonNegative("worker", worker);
        Checks.nonNegative("datagrams", datagrams);
        Checks.nonNegative("held", held);
        Checks.nonNegative("tableBytes", tableBytes);
    }
}
