package dev.natgw.api.nat;

/** Argument checks of this package's records, with messages that name the field. */
final class Checks {
    private Checks() {
    }

    static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
        return value;
    }
}
