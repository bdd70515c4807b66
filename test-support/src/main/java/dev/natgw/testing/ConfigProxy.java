package dev.natgw.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds an instance of a configuration annotation ({@code @ObjectClassDefinition}) as Declarative Services would
 * hand it to {@code @Activate}: from properties keyed the way Config Admin keys them, every attribute not given at
 * its annotation default, and a text value converted to the attribute's type as DS converts a {@code .cfg} file's
 * text. Keys follow the DS name mapping of the attributes natgw uses: {@code timeout_udp()} reads
 * {@code "timeout.udp"}, {@code $_$} in a method name reads as {@code -}, and {@code __} as {@code _}. A key that
 * no attribute reads is refused, so a misspelt key fails the test instead of silently testing the default.
 */
public final class ConfigProxy {
    private ConfigProxy() {
    }

    /**
     * Builds the configuration.
     *
     * @param <A> the annotation type
     * @param type the annotation type
     * @param properties values by configuration key; a value must have the attribute's type or be its text
     * @return the configuration
     * @throws IllegalArgumentException if a key names no attribute of the annotation
     */
    public static <A> A of(Class<A> type, Map<String, ?> properties) {
        Map<String, Method> byKey = new HashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            byKey.put(key(m.getName()), m);
        }
        for (String k : properties.keySet()) {
            if (!byKey.containsKey(k)) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no attribute " + k + "; it has "
                        + byKey.keySet());
            }
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> value(type, proxy, method, args, properties)));
    }

    /**
     * Builds the configuration from alternating keys and values.
     *
     * @param <A> the annotation type
     * @param type the annotation type
     * @param keysAndValues key, value, key, value, …
     * @return the configuration
     */
    public static <A> A of(Class<A> type, Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, Object> properties = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return of(type, properties);
    }

    /**
     * The configuration key DS reads for an attribute method.
     *
     * @param method the attribute method's name
     * @return the key
     */
    static String key(String method) {
        StringBuilder k = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (method.startsWith("$_$", i)) {
                k.append('-');
                i += 2;
            } else if (method.startsWith("__", i)) {
                k.append('_');
                i += 1;
            } else if (method.startsWith("$$", i)) {
                k.append('$');
                i += 1;
            } else if (c == '_') {
                k.append('.');
            } else if (c != '$') {
                k.append(c);
            }
        }
        return k.toString();
    }

    /**
     * Converts a text value as DS converts a {@code .cfg} file's text to the attribute's type: a number or boolean
     * parsed, an array of the one text.
     */
    private static Object fromText(Class<?> type, String text) {
        if (type == int.class) {
            return Integer.parseInt(text.strip());
        } else if (type == long.class) {
            return Long.parseLong(text.strip());
        } else if (type == boolean.class) {
            return Boolean.parseBoolean(text.strip());
        } else if (type == String[].class) {
            return new String[]{text};
        }
        return text;
    }

    private static Object value(Class<?> type, Object proxy, Method method, Object[] args, Map<String, ?> properties) {
        return switch (method.getName()) {
            case "toString" -> type.getSimpleName() + properties;
            case "hashCode" -> properties.hashCode();
            case "equals" -> proxy == args[0];
            case "annotationType" -> type;
            default -> {
                String key = key(method.getName());
                Object v = properties.containsKey(key) ? properties.get(key) : method.getDefaultValue();
                if (v == null) {
                    throw new IllegalStateException(key + " has no value and no default");
                }
                yield v instanceof String text ? fromText(method.getReturnType(), text) : v;
            }
        };
    }
}
