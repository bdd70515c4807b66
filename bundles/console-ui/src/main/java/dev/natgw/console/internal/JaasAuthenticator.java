package dev.natgw.console.internal;

import java.security.Principal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * Logs users in against a Karaf JAAS realm, the same users and passwords as the shell. A user needs one of the
 * configured roles. Each attempt logs out again at once: the console keeps only the user's name and roles.
 */
public final class JaasAuthenticator {

    /** A user who logged in. */
    public record User(String name, Set<String> roles) {
    }

    private final String realm;
    private final List<String> allowedRoles;
    private final ClassLoader loader;

    /**
     * @param realm the JAAS realm ("karaf")
     * @param allowedRoles roles of which the user needs one
     * @param loader the class loader that sees Karaf's JAAS boot classes (the bundle's)
     */
    public JaasAuthenticator(String realm, List<String> allowedRoles, ClassLoader loader) {
        this.realm = realm;
        this.allowedRoles = List.copyOf(allowedRoles);
        this.loader = loader;
    }

    /**
     * Checks a user name and password.
     *
     * @param user the user name
     * @param password the password
     * @return the user if the realm accepts them and they hold an allowed role, else empty
     */
    public Optional<User> login(String user, char[] password) {
        if (user == null || user.isBlank() || password == null || password.length == 0 || user.length() > 256
                || password.length > 1024) {
            return Optional.empty();
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // LoginContext loads the realm's login module through the context class loader
        thread.setContextClassLoader(loader);
        try {
            Subject subject = new Subject();
            LoginContext context = new LoginContext(realm, subject, callbacks -> {
                for (Callback c : callbacks) {
                    if (c instanceof NameCallback n) {
                        n.setName(user);
                    } else if (c instanceof PasswordCallback p) {
                        p.setPassword(password.clone());
                    } else {
                        throw new UnsupportedCallbackException(c);
                    }
                }
            });
            context.login();
            Set<String> roles = new TreeSet<>();
            for (Principal p : subject.getPrincipals()) {
                if (p.getClass().getSimpleName().equals("RolePrincipal")) {
                    roles.add(p.getName());
                }
            }
            try {
                context.logout();
            } catch (LoginException ignored) {
                // nothing is kept of the subject
            }
            if (roles.stream().noneMatch(allowedRoles::contains)) {
                return Optional.empty();
            }
            return Optional.of(new User(user, Set.copyOf(roles)));
        } catch (LoginException e) {
            return Optional.empty();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
