package dev.natgw.traversal.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A tenant's credential for registering with a forwarder (docs/protocol.md, section 10): an Ed25519 private key the
 * operator issued under a tenant name, written as the text {@code natgw-tenant-v1:NAME:SECRET} (SECRET: the key's
 * PKCS#8 encoding in unpadded base64url). The forwarder keeps only the public key, so what it stores cannot register
 * anything, and a server proves the credential by signing the forwarder's nonce and its own public key, so the secret
 * never crosses the wire and a recorded proof is good for neither another connection nor another key. Immutable.
 *
 * @param tenant the tenant's name
 * @param privateKey the tenant's private key
 */
public record TenantCredential(String tenant, PrivateKey privateKey) {

    /** What every credential text starts with. */
    public static final String PREFIX = "natgw-tenant-v1:";
    /** The context that starts the bytes a tenant signature signs. */
    public static final String ADMIT_CONTEXT = "natgw-admit-v1";
    /** The longest tenant name. */
    public static final int MAX_NAME = 64;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** {@return true if the name is a valid tenant name: 1..64 of a-z 0-9 . _ -, starting with a letter or digit} */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Parses a credential's text.
     *
     * @throws IllegalArgumentException saying what is wrong, never echoing the secret
     */
    public static TenantCredential parse(String text) {
        String t = text == null ? "" : text.strip();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a tenant credential starts with " + PREFIX);
        }
        int colon = t.indexOf(':', PREFIX.length());
        if (colon < 0) {
            throw new IllegalArgumentException("a tenant credential is " + PREFIX + "NAME:SECRET");
        }
        String name = t.substring(PREFIX.length(), colon);
        if (!validName(name)) {
            throw new IllegalArgumentException("the credential's tenant name is not valid");
        }
        try {
            byte[] der = Base64.getUrlDecoder().decode(t.substring(colon + 1));
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new TenantCredential(name, key);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the credential's secret is not an Ed25519 private key");
        }
    }

    /**
     * Makes a new credential for a tenant.
     *
     * @return the text to hand to the tenant (once) and the public key the forwarder keeps
     */
    public static Issued issue(String tenant) {
        if (!validName(tenant)) {
            throw new IllegalArgumentException("a tenant name is 1..64 of a-z 0-9 . _ - starting with a letter or"
                    + " digit, was \"" + tenant + "\"");
        }
        KeyPair pair = Keys.generate();
        String text = PREFIX + tenant + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(pair.getPrivate()
                .getEncoded());
        return new Issued(text, pair.getPublic().getEncoded());
    }

    /**
     * A credential just made.
     *
     * @param text the credential's text, for the tenant only
     * @param publicKey the tenant public key's SubjectPublicKeyInfo, for the forwarder
     */
    public record Issued(String text, byte[] publicKey) {
    }

    /** {@return the tenant signature of a REGISTER: over the context, a zero byte, the nonce and the server's key} */
    public byte[] sign(byte[] nonce, byte[] serverPublicKey) {
        return Keys.sign(privateKey, admitChallenge(nonce, serverPublicKey));
    }

    /** {@return true if signature proves the tenant key for this nonce and server public key} */
    public static boolean verify(PublicKey tenantKey, byte[] nonce, byte[] serverPublicKey, byte[] signature) {
        return Keys.verify(tenantKey, admitChallenge(nonce, serverPublicKey), signature);
    }

    /** {@return the bytes a tenant signature signs: the context, a zero byte, the nonce, the server's public key} */
    public static byte[] admitChallenge(byte[] nonce, byte[] serverPublicKey) {
        byte[] context = ADMIT_CONTEXT.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[context.length + 1 + nonce.length + serverPublicKey.length];
        System.arraycopy(context, 0, out, 0, context.length);
        System.arraycopy(nonce, 0, out, context.length + 1, nonce.length);
        System.arraycopy(serverPublicKey, 0, out, context.length + 1 + nonce.length, serverPublicKey.length);
        return out;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "TenantCredential[" + tenant + "]";
    }
}
