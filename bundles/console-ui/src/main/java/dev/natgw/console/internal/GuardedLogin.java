package dev.natgw.console.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * The console's one way to check a password, for the login page and /metrics alike: the realm behind the
 * {@link LoginThrottle}.
 */
public final class GuardedLogin {

    /**
     * What became of an attempt.
     *
     * @param user the user, if the realm accepted them
     * @param retryAfter zero, or how long the attempt's address or name is locked (the realm was not asked)
     */
    public record Outcome(Optional<JaasAuthenticator.User> user, Duration retryAfter) {
        /** {@return whether the attempt was refused without asking the realm} */
        public boolean throttled() {
            return !retryAfter.isZero();
        }
    }

    private final JaasAuthenticator realm;
    private final LoginThrottle throttle;

    /**
     * @param realm the realm
     * @param throttle the failed-login throttle
     */
    public GuardedLogin(JaasAuthenticator realm, LoginThrottle throttle) {
        this.realm = realm;
        this.throttle = throttle;
    }

    /**
     * Checks a user name and password from a client.
     *
     * @param source the client's address
     * @param user the user name
     * @param password the password
     * @return the outcome
     */
    public Outcome login(String source, String user, char[] password) {
        Duration wait = throttle.check(source, user);
        if (!wait.isZero()) {
            return new Outcome(Optional.empty(), wait);
        }
        Optional<JaasAuthenticator.User> u = realm.login(user, password);
        if (u.isPresent()) {
            throttle.succeeded(user);
        } else {
            throttle.failed(source, user);
        }
        return new Outcome(u, Duration.ZERO);
    }
}
