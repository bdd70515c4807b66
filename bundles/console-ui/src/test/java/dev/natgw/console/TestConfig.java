package dev.natgw.console;

import dev.natgw.console.internal.ConsoleConfig;
import dev.natgw.testing.ConfigProxy;

/**
 * A {@link ConsoleConfig} as Config Admin would hand it over: the defaults, with some attributes set. The console
 * tests name attributes by method ({@code "login_max_failures"}); this maps each name to its configuration key and
 * lets {@link ConfigProxy} build the annotation, so a misspelt name still fails the test.
 */
public final class TestConfig {
    private TestConfig() {
    }

    /**
     * Builds the configuration.
     *
     * @param pairs method name, value, method name, value...
     * @return the configuration
     */
    public static ConsoleConfig of(Object... pairs) {
        Object[] byKey = pairs.clone();
        for (int i = 0; i < byKey.length; i += 2) {
            // the console's attribute names hold single underscores only, which DS reads as dots
            byKey[i] = ((String) pairs[i]).replace('_', '.');
        }
        return ConfigProxy.of(ConsoleConfig.class, byKey);
    }
}
