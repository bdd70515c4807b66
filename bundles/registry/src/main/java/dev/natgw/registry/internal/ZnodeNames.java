package dev.natgw.registry.internal;

import dev.natgw.api.registry.RegistryKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Registry keys as znode names and back. Keys may hold {@code /} and may be {@code .} or {@code ..}, which znode names
 * may not: {@code /} becomes {@code %2F} and {@code .} becomes {@code %2E} where it would otherwise make a whole name
 * of dots. Keys never hold {@code %}, so decoding is exact. Also the names of the hashed bucket a key lives under and
 * of a value's znode. Stateless.
 */
final class ZnodeNames {
    /** Hex digits of a key's SHA-256 that name its bucket. */
    static final int BUCKET_DIGITS = 3;
    /** How many bucket znodes keys spread over. */
    static final int BUCKETS = 1 << (4 * BUCKET_DIGITS);

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

    /** {@return the bucket znode name of key: the first hex digits of its SHA-256} */
    static String bucket(String key) {
        byte[] hash = sha256(key);
        int n = ((hash[0] & 0xff) << 8 | (hash[1] & 0xff)) >>> (16 - 4 * BUCKET_DIGITS);
        return bucketName(n);
    }

    static String bucketName(int n) {
        String hex = Integer.toHexString(n);
        return "0".repeat(BUCKET_DIGITS - hex.length()) + hex;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** {@return the value's znode name: its SHA-256 in unpadded base64url, 43 characters} */
    static String valueId(String value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(value));
    }
}
