package dev.natgw.api.registry;

import java.util.Objects;

/**
 * The rules for registry keys and values, checked by {@link Registry} and usable by callers
 * beforehand.
 */
public final class RegistryKeys {
    /** The longest key, in characters. */
    public static final int MAX_KEY_LENGTH = 256;
    /** The longest value, in characters. */
    public static final int MAX_VALUE_LENGTH = 4096;

    private RegistryKeys() {
    }

    /**
     * Checks a key: 1..{@value #MAX_KEY_LENGTH} characters of {@code A-Z a-z 0-9 . _ ~ : / -}.
     *
     * @param key the key
     * @return the key
     * @throws IllegalArgumentException quoting the key if it breaks the rules
     * @throws NullPointerException if key is null
     */
    public static String requireValid(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key must be 1.." + MAX_KEY_LENGTH + " characters, was " + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '~' || c == ':' || c == '/' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException(
                        "key must contain only A-Z a-z 0-9 . _ ~ : / -, \"" + key + "\" has '" + c + "' at " + i);
            }
        }
        return key;
    }

    /**
     * Checks a value: 1..{@value #MAX_VALUE_LENGTH} characters, any.
     *
     * @param value the value
     * @return the value
     * @throws IllegalArgumentException if it is empty or too long
     * @throws NullPointerException if value is null
     */
    public static String requireValidValue(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                    "value must be 1.." + MAX_VALUE_LENGTH + " characters, was " + value.length());
        }
        return value;
    }
}
