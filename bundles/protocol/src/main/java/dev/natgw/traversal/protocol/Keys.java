package dev.natgw.traversal.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * The key scheme (docs/protocol.md, section 4): a key is {@code "ed25519-"} and the hex SHA-256 of an Ed25519 public
 * key's SubjectPublicKeyInfo; ownership is proven by Ed25519 signatures, with the JDK's own provider. Stateless.
 */
public final class Keys {
    /** Every key starts with this. */
    public static final String PREFIX = "ed25519-";
    /** The context that starts the signed bytes of a REGISTER. */
    public static final String REGISTER_CONTEXT = "natgw-register-v1";
    /** The length of nonces and tokens. */
    public static final int NONCE_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {
    }

    /** {@return a new Ed25519 key pair} */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** {@return the key named by this public key} */
    public static String keyOf(PublicKey publicKey) {
        return keyOf(publicKey.getEncoded());
    }

    /** {@return the key named by this SubjectPublicKeyInfo encoding} */
    public static String keyOf(byte[] subjectPublicKeyInfo) {
        try {
            return PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** {@return true if the string has the shape of a key: the prefix and 64 lowercase hex digits} */
    public static boolean isKey(String s) {
        if (s == null || s.length() != PREFIX.length() + 64 || !s.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes an Ed25519 public key.
     *
     * @throws ProtocolException BAD_PROOF if the bytes are not an Ed25519 SubjectPublicKeyInfo
     */
    public static PublicKey publicKey(byte[] subjectPublicKeyInfo) throws ProtocolException {
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
                    subjectPublicKeyInfo));
            if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm())) {
                throw new ProtocolException(ErrorCode.BAD_PROOF, "not an Ed25519 key");
            }
            return key;
        } catch (InvalidKeySpecException | NoSuchAlgorithmException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, "not an Ed25519 public key");
        }
    }

    /** {@return the Ed25519 signature of data} */
    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /** {@return true if signature is a valid Ed25519 signature of data by key} */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (InvalidKeyException | SignatureException | NoSuchAlgorithmException e) {
            return false;
        }
    }

    /** {@return the bytes a REGISTER signs: the context, a zero byte, the nonce} */
    public static byte[] registerChallenge(byte[] nonce) {
        byte[] context = REGISTER_CONTEXT.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[context.length + 1 + nonce.length];
        System.arraycopy(context, 0, out, 0, context.length);
        System.arraycopy(nonce, 0, out, context.length + 1, nonce.length);
        return out;
    }

    /** {@return fresh random bytes for a nonce or token} */
    public static byte[] nonce() {
        byte[] b = new byte[NONCE_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * Checks a REGISTER's proof.
     *
     * @return the key the public key names
     * @throws ProtocolException BAD_PROOF if the key is no Ed25519 key or the signature does not verify
     */
    public static String verifyRegistration(byte[] subjectPublicKeyInfo, byte[] nonce, byte[] signature)
            throws ProtocolException {
        PublicKey key = publicKey(subjectPublicKeyInfo);
        if (!verify(key, registerChallenge(nonce), signature)) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, "signature does not verify");
        }
        return keyOf(subjectPublicKeyInfo);
    }
}
