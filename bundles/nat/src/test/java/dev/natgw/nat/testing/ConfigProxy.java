package dev.natgw.nat.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Builds an instance of a configuration annotation ({@code @ObjectClassDefinition}) from a map keyed
 * the way Config Admin keys it ({@code "timeout.udp"} for {@code timeout_udp()}); missing keys take the
 * annotation's defaults, as DS would give them. For tests of code that reads typed configuration.
 */
public final class ConfigProxy {
    private ConfigProxy() {
    }

    /**
     * Builds the configuration.
     *
     * @param <A> the annotation type
     * @param type the annotation type
     * @param properties values by configuration key; a value must already have the method's type
     * @return the configuration
     */
    public static <A> A of(Class<A> type, Map<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> value(type, method, properties)));
    }

    private static Object value(Class<?> type, Method method, Map<String, ?> properties) {
        return switch (method.getName()) {
            case "toString" -> type.getSimpleName() + properties;
            case "hashCode" -> properties.hashCode();
            case "equals" -> false;
            case "annotationType" -> type;
            default -> {
                // the OSGi name mapping for the attributes used here: '_' becomes '.'
                String key = method.getName().replace('_', '.');
                Object v = properties.containsKey(key) ? properties.get(key) : method.getDefaultValue();
                if (v == null && !properties.containsKey(key)) {
                    throw new IllegalStateException(key + " has no value and no default");
                }
                yield v;
            }
        };
    }
}
