package dev.natgw.console;

import java.security.Principal;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

/**
 * A JAAS realm "test" for tests outside Karaf: user {@code op} with password {@code secret-pw} and role admin, user
 * {@code guest} with password {@code guest-pw} and role guest. Its role principals are named like Karaf's.
 */
public final class TestRealm {
    private TestRealm() {
    }

    /** A role, as Karaf's RolePrincipal. */
    public record RolePrincipal(String getName) implements Principal {
    }

    /** Installs the realm as the JVM's JAAS configuration. */
    public static void install() {
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals("test")
                        ? new AppConfigurationEntry[]{new AppConfigurationEntry(
                                Module.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                                Map.of())}
                        : null;
            }
        });
    }

    /** The login module. */
    public static final class Module implements LoginModule {
        private Subject subject;
        private CallbackHandler handler;
        private String role;

        @Override
        public void initialize(Subject s, CallbackHandler h, Map<String, ?> sharedState, Map<String, ?> options) {
            subject = s;
            handler = h;
        }

        @Override
        public boolean login() throws LoginException {
            NameCallback name = new NameCallback("user");
            PasswordCallback password = new PasswordCallback("password", false);
            try {
                handler.handle(new Callback[]{name, password});
            } catch (Exception e) {
                throw new LoginException(e.toString());
            }
            String pw = new String(password.getPassword());
            if (name.getName().equals("op") && pw.equals("secret-pw")) {
                role = "admin";
            } else if (name.getName().equals("guest") && pw.equals("guest-pw")) {
                role = "guest";
            } else {
                throw new FailedLoginException("wrong user or password");
            }
            return true;
        }

        @Override
        public boolean commit() {
            subject.getPrincipals().add(new RolePrincipal(role));
            return true;
        }

        @Override
        public boolean abort() {
            return true;
        }

        @Override
        public boolean logout() {
            subject.getPrincipals().clear();
            return true;
        }
    }
}
