package dev.natgw.console;

import dev.natgw.console.internal.ConsoleConfig;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** A {@link ConsoleConfig} as ConfigAdmin would hand it over: the defaults, with some keys set. */
public final class TestConfig {
    private TestConfig() {
    }

    /**
     * @param pairs method name, value, method name, value...
     * @return the configuration
     */
    public static ConsoleConfig of(Object... pairs) {
        Map<String, Object> set = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            set.put((String) pairs[i], pairs[i + 1]);
        }
        return (ConsoleConfig) Proxy.newProxyInstance(ConsoleConfig.class.getClassLoader(),
                new Class<?>[]{ConsoleConfig.class}, (proxy, method, args) -> {
                    if (set.containsKey(method.getName())) {
                        return set.get(method.getName());
                    }
                    if (method.getName().equals("annotationType")) {
                        return ConsoleConfig.class;
                    }
                    return method.getDefaultValue();
                });
    }
}
