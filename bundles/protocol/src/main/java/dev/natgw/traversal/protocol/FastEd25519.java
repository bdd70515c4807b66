package dev.natgw.traversal.protocol;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032, pure, no context) through Bouncy Castle's implementation, for the JDK's key objects: the same
 * signatures as the JDK's provider, signed about 18 and checked about 8 times faster here (SignatureBenchmark).
 * Every new relayed connection costs a signature and a check of its data connection's proof, and every lookup a
 * check of a signed registry value, so this is on the path of each connection's setup.
 *
 * <p>
 * Keys the JDK cannot export (a key of another provider) are left to the caller: the methods answer null. Decoded
 * keys are kept, at most {@value #MAX_KEPT} of each kind (a public key's point decoded once saves a square root per
 * check); beyond that the cache starts again, so a peer that presents many keys only makes checks slower. Thread-safe.
 */
final class FastEd25519 {

    /** The SubjectPublicKeyInfo of an Ed25519 key: these 12 bytes, then the 32 of the key (RFC 8410). */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    static final int MAX_KEPT = 256;

    private static final Map<PrivateKey, Ed25519PrivateKeyParameters> PRIVATE = new ConcurrentHashMap<>();
    private static final Map<PublicKey, Ed25519PublicKeyParameters> PUBLIC = new ConcurrentHashMap<>();

    private FastEd25519() {
    }

    /** {@return true if {@link #sign} can sign with this key} */
    static boolean readable(PrivateKey key) {
        return PRIVATE.containsKey(key) || ed25519(key) != null;
    }

    /** {@return true if {@link #verify} can check with this key} */
    static boolean readable(PublicKey key) {
        return PUBLIC.containsKey(key) || isEd25519(key.getEncoded());
    }

    /** {@return the key as a JDK Ed25519 private key whose seed can be read, or null} */
    private static EdECPrivateKey ed25519(PrivateKey key) {
        return key instanceof EdECPrivateKey ed && "Ed25519".equals(ed.getParams().getName()) && ed.getBytes()
                .isPresent() ? ed : null;
    }

    /** {@return true if spki is an Ed25519 SubjectPublicKeyInfo: the prefix, then 32 bytes} */
    private static boolean isEd25519(byte[] spki) {
        return spki != null && spki.length == SPKI_PREFIX.length + Ed25519PublicKeyParameters.KEY_SIZE && Arrays
                .equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length);
    }

    /** {@return the signature of data, or null if this key's bytes cannot be read} */
    static byte[] sign(PrivateKey key, byte[] data) {
        Ed25519PrivateKeyParameters k = PRIVATE.get(key);
        if (k == null) {
            EdECPrivateKey ed = ed25519(key);
            byte[] seed = ed == null ? null : ed.getBytes().orElse(null);
            if (seed == null || seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
                return null;
            }
            k = new Ed25519PrivateKeyParameters(seed);
            Arrays.fill(seed, (byte) 0);
            // the public key is derived once and kept with the private one; sign() would derive it each time
            k.generatePublicKey();
            keep(PRIVATE, key, k);
        }
        byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
        k.sign(Ed25519.Algorithm.Ed25519, null, data, 0, data.length, signature, 0);
        return signature;
    }

    /**
     * {@return whether signature is key's signature of data; null if key is not an Ed25519 key this class reads}
     */
    static Boolean verify(PublicKey key, byte[] data, byte[] signature) {
        Ed25519PublicKeyParameters k = PUBLIC.get(key);
        if (k == null) {
            byte[] spki = key.getEncoded();
            if (!isEd25519(spki)) {
                return null;
            }
            try {
                k = new Ed25519PublicKeyParameters(spki, SPKI_PREFIX.length);
            } catch (IllegalArgumentException notAPoint) {
                return false;
            }
            keep(PUBLIC, key, k);
        }
        if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        return k.verify(Ed25519.Algorithm.Ed25519, null, data, 0, data.length, signature, 0);
    }

    /** {@return how many decoded keys are kept now, private and public} */
    static int kept() {
        return PRIVATE.size() + PUBLIC.size();
    }

    private static <K, V> void keep(Map<K, V> cache, K key, V value) {
        if (cache.size() >= MAX_KEPT) {
            cache.clear();
        }
        cache.put(key, value);
    }
}
