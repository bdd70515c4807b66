package dev.natgw.console.model;

import java.util.function.Function;

/**
 * What a view read from one service: a value, or why there is none. A service that is absent, or that goes away
 * while it is read (its bundle stopped or updated), gives no value and a message, not an error: the view says so and
 * reads again on the next tick.
 *
 * @param <T> the value
 * @param value the value, or null
 * @param message why there is no value, or null when there is one
 */
public record Reading<T>(T value, String message) {

    /** {@return whether there is a value} */
    public boolean present() {
        return value != null;
    }

    /**
     * Reads a service that may be absent.
     *
     * @param <S> the service type
     * @param <T> the value
     * @param service the service, or null while absent
     * @param what the service as the operator knows it, such as "The NAT translator (NatService)"
     * @param read what to read from it
     * @return the value, or the message
     */
    public static <S, T> Reading<T> of(S service, String what, Function<S, T> read) {
        if (service == null) {
            return new Reading<>(null, what + " is not running. This view fills in by itself when it starts.");
        }
        try {
            T value = read.apply(service);
            if (value == null) {
                return new Reading<>(null, what + " answered nothing; reading again.");
            }
            return new Reading<>(value, null);
        } catch (RuntimeException gone) {
            // a service whose component was deactivated under us throws; it is on its way out or back
            return new Reading<>(null, what + " went away while being read (" + gone.getClass().getSimpleName()
                    + "); reading again each second.");
        }
    }
}
