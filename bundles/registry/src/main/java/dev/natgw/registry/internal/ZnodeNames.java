package dev.natgw.registry.internal;

import dev.natgw.api.registry.RegistryKeys;

/**
 * Registry keys as znode names and back. Keys may hold {@code /} and may be {@code .} or {@code ..}, which znode names
 * may not: {@code /} becomes {@code %2F} and {@code .} becomes {@code %2E} where it would otherwise make a whole name
 * of dots. Keys never hold {@code %}, so decoding is exact. Stateless.
 */
final class ZnodeNames {
    private ZnodeNames() {
    }

    static String encodeKey(String key) {
        String encoded = key.replace("/", "%2F");
        if (encoded.equals(".") || encoded.equals("..")) {
            encoded = encoded.replace(".", "%2E");
        }
        return encoded;
    }

    /** {@return the key this znode name stands for, or null if it is none of ours} */
    static String decodeKey(String name) {
        String key = name.replace("%2F", "/").replace("%2E", ".");
        try {
            return RegistryKeys.requireValid(key);
        } catch (IllegalArgumentException foreign) {
            return null;
        }
    }
}
