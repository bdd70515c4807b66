package dev.natgw.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.console.TestRealm;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JaasAuthenticatorTest {

    @BeforeAll
    static void realm() {
        TestRealm.install();
    }

    private final JaasAuthenticator auth = new JaasAuthenticator("test", List.of("admin", "viewer"),
            JaasAuthenticatorTest.class.getClassLoader());

    @Test
    void realmUserWithAnAllowedRoleLogsIn() {
        assertThat(auth.login("op", "secret-pw".toCharArray()))
                .contains(new JaasAuthenticator.User("op", Set.of("admin")));
    }

    @Test
    void wrongPasswordUnknownUserMissingRoleAndEmptyInputAreRefused() {
        assertThat(auth.login("op", "secret-px".toCharArray())).isEmpty();
        assertThat(auth.login("nobody", "secret-pw".toCharArray())).isEmpty();
        assertThat(auth.login("guest", "guest-pw".toCharArray())).isEmpty();
        assertThat(auth.login("", "x".toCharArray())).isEmpty();
        assertThat(auth.login("op", new char[0])).isEmpty();
        assertThat(new JaasAuthenticator("no-such-realm", List.of("admin"), getClass().getClassLoader())
                .login("op", "secret-pw".toCharArray())).isEmpty();
    }
}
