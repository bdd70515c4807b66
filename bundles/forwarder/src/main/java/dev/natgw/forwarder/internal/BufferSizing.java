package dev.natgw.forwarder.internal;

/**
 * Chooses the buffer of one relay direction: an idle or slow direction uses the small one; one that fills it takes
 * the large one, and gives it back after {@link #SHRINK_AFTER} reads in a row that the small one would have held.
 * So idle relays cost little memory and busy ones move large chunks. One per direction; not thread-safe.
 */
final class BufferSizing {
    static final int SHRINK_AFTER = 16;

    final int small;
    final int large;
    private boolean usingLarge;
    private int smallReads;

    BufferSizing(int small, int large) {
        this.small = small;
        this.large = large;
    }

    /**
     * @param n the bytes the last read returned
     * @param full whether they filled the buffer it read into
     * @return whether the next read should use the large buffer
     */
    boolean useLarge(int n, boolean full) {
        if (!usingLarge) {
            if (full && large > small) {
                usingLarge = true;
                smallReads = 0;
            }
        } else if (n > small) {
            smallReads = 0;
        } else if (++smallReads >= SHRINK_AFTER) {
            usingLarge = false;
        }
        return usingLarge;
    }
}
