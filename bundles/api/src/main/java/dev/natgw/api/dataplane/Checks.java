package dev.natgw.api.dataplane;

import java.util.Objects;

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

    static String notBlank(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    static double share(String field, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(field + " must be 0..1, was " + value);
        }
        return value;
    }
}
