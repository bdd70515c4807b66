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
 * key's SubjectPublicKeyInfo; ownership is proven by Ed25519 signatures, made and checked by {@link FastEd25519} (the
 * JDK's provider for keys it cannot read). Stateless apart from that class's cache of decoded keys.
 */
public final class Keys {
    /** Every key starts with this. */
    public static final String PREFIX = "ed25519-";
    /**
     * The context of the first REGISTER proof, which did not name the forwarder; forwarders refuse it now, with a
     * message that says to upgrade (docs/protocol.md, section 4).
     */
    public static final String REGISTER_CONTEXT = "natgw-register-v1";
    /** The context that starts the signed bytes of a REGISTER: the proof names the forwarder. */
    public static final String REGISTER_CONTEXT_V2 = "natgw-register-v2";
    /** The context that starts the signed bytes of a DATA: the token is the server's. */
    public static final String DATA_CONTEXT = "natgw-data-v1";
    /** The context of a PARK_PROOF signature (docs/protocol.md, section 5a). */
    public static final String PARK_CONTEXT = "natgw-park-v1";
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
        byte[] fast = FastEd25519.sign(key, data);
        if (fast != null) {
            return fast;
        }
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
        Boolean fast = FastEd25519.verify(key, data, signature);
        if (fast != null) {
            return fast;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (InvalidKeyException | SignatureException | NoSuchAlgorithmException e) {
            return false;
        }
    }

    /**
     * {@return the bytes the first REGISTER proof signed: the context natgw-register-v1, a zero byte, the nonce}
     * Forwarders refuse this proof now; it is kept to recognise an older server and tell it so.
     */
    public static byte[] registerChallenge(byte[] nonce) {
        return signed(REGISTER_CONTEXT, nonce);
    }

    /**
     * {@return the bytes a REGISTER signs: the context natgw-register-v2, a zero byte, the nonce, the forwarder's
     * identity as the server saw it} ({@link ForwarderIdentity})
     */
    public static byte[] registerProof(byte[] nonce, byte[] forwarder) {
        return signed(REGISTER_CONTEXT_V2, nonce, forwarder);
    }

    /**
     * {@return the bytes a DATA signs: the context natgw-data-v1, a zero byte, the forwarder's identity as the server
     * saw it on the data connection, the token}
     */
    public static byte[] dataProof(byte[] forwarder, byte[] token) {
        return signed(DATA_CONTEXT, forwarder, token);
    }

    /**
     * {@return the bytes a PARK_PROOF signs: the context natgw-park-v1, a zero byte, the forwarder's identity as the
     * server saw it on the parked connection, the forwarder's nonce for that connection}
     */
    public static byte[] parkProof(byte[] forwarder, byte[] nonce) {
        return signed(PARK_CONTEXT, forwarder, nonce);
    }

    /** {@return true if signature is the key's signature of this parked connection's nonce on this forwarder} */
    public static boolean verifyPark(PublicKey key, byte[] forwarder, byte[] nonce, byte[] signature) {
        return verify(key, parkProof(forwarder, nonce), signature);
    }

    /** {@return true if signature is the key's signature of this DATA's token on this forwarder} */
    public static boolean verifyData(PublicKey key, byte[] forwarder, byte[] token, byte[] signature) {
        return verify(key, dataProof(forwarder, token), signature);
    }

    private static byte[] signed(String context, byte[]... parts) {
        byte[] c = context.getBytes(StandardCharsets.US_ASCII);
        int n = c.length + 1;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        System.arraycopy(c, 0, out, 0, c.length);
        int at = c.length + 1;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@return fresh random bytes for a nonce or token} */
    public static byte[] nonce() {
        byte[] b = new byte[NONCE_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * Checks a REGISTER's proof of the first version (natgw-register-v1), which does not name the forwarder.
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

    /**
     * Checks a REGISTER's proof (natgw-register-v2): signed by the key, over the nonce and the identity of this
     * forwarder.
     *
     * @param forwarder this forwarder's identity on the connection ({@link ForwarderIdentity#presented})
     * @return the key the public key names
     * @throws ProtocolException BAD_PROOF if the key is no Ed25519 key, if the proof is of the first version (an
     *     older server: the message says to upgrade), or if it does not verify for this forwarder (forged, or naming
     *     another forwarder that relayed the server's frames here)
     */
    public static String verifyRegistration(byte[] subjectPublicKeyInfo, byte[] nonce, byte[] forwarder,
            byte[] signature) throws ProtocolException {
        PublicKey key = publicKey(subjectPublicKeyInfo);
        if (verify(key, registerProof(nonce, forwarder), signature)) {
            return keyOf(subjectPublicKeyInfo);
        }
        if (verify(key, registerChallenge(nonce), signature)) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, "this REGISTER signs the proof " + REGISTER_CONTEXT
                    + ", which does not name the forwarder; this forwarder needs " + REGISTER_CONTEXT_V2
                    + ": upgrade natgw-traversal");
        }
        throw new ProtocolException(ErrorCode.BAD_PROOF, "the signature does not verify for this forwarder ("
                + ForwarderIdentity.text(forwarder) + "): it is forged, or it names another forwarder that relayed"
                + " the server's registration here");
    }
}
