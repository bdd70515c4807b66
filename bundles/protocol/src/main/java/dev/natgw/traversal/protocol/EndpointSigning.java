package dev.natgw.traversal.protocol;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * Registry values signed by the key's owner (docs/protocol.md, section 10): {@code ENDPOINT natgw-sig-v1 PUBLICKEY
 * NOTAFTER SIGNATURE}, so that a client can check that the owner of a key, and not whoever wrote the registry or
 * answered the lookup, named the endpoint. Stateless.
 */
public final class EndpointSigning {
    /** The word after the endpoint that marks a signed value. */
    public static final String MARK = "natgw-sig-v1";
    /** The first line of the signed text. */
    public static final String CONTEXT = "natgw-endpoint-v1";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private EndpointSigning() {
    }

    /** A verified value: the endpoint the owner named, and until when (epoch seconds) its signature holds. */
    public record Verified(String endpoint, long notAfter) {
    }

    /** {@return the UTF-8 bytes the owner signs} */
    public static byte[] signedBytes(String key, String endpoint, long notAfter) {
        return (CONTEXT + "\n" + key + "\n" + endpoint + "\n" + notAfter).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@return the signed value naming endpoint under the key of publicKey until notAfter (epoch seconds)}
     *
     * @throws IllegalArgumentException if the endpoint holds white space
     */
    public static String sign(PrivateKey privateKey, PublicKey publicKey, String endpoint, long notAfter) {
        if (endpoint.isEmpty() || endpoint.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("an endpoint without white space is needed, was \"" + endpoint + "\"");
        }
        byte[] spki = publicKey.getEncoded();
        byte[] signature = Keys.sign(privateKey, signedBytes(Keys.keyOf(spki), endpoint, notAfter));
        return endpoint + " " + MARK + " " + B64.encodeToString(spki) + " " + notAfter + " " + B64.encodeToString(
                signature);
    }

    /** {@return the endpoint part of a value, signed or not, unverified: for display and tests} */
    public static String endpointOf(String value) {
        String v = value.strip();
        int space = v.indexOf(' ');
        return space < 0 ? v : v.substring(0, space);
    }

    /**
     * Verifies a value looked up under key.
     *
     * @param nowSeconds the time now, epoch seconds
     * @return the endpoint and the signature's end
     * @throws ProtocolException BAD_PROOF, with a message that quotes the value's endpoint and names the key, if the
     *     value is unsigned, signed for another key or by another key, forged, or expired
     */
    public static Verified verify(String key, String value, long nowSeconds) throws ProtocolException {
        String[] parts = value.strip().split(" ");
        String endpoint = parts[0];
        if (parts.length != 5 || !parts[1].equals(MARK)) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, endpoint + " is not signed by the owner of " + key);
        }
        byte[] spki;
        byte[] signature;
        long notAfter;
        try {
            spki = B64D.decode(parts[2]);
            signature = B64D.decode(parts[4]);
            notAfter = Long.parseLong(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, endpoint + " carries a malformed signature for " + key);
        }
        if (!Keys.keyOf(spki).equals(key)) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, endpoint + " is signed by " + Keys.keyOf(spki)
                    + ", not by the owner of " + key);
        }
        PublicKey publicKey = Keys.publicKey(spki);
        if (!Keys.verify(publicKey, signedBytes(key, endpoint, notAfter), signature)) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, endpoint + " carries a signature for " + key
                    + " that does not verify (forged or altered)");
        }
        if (notAfter < nowSeconds) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, endpoint + ": the signature of " + key + " expired at "
                    + java.time.Instant.ofEpochSecond(notAfter));
        }
        return new Verified(endpoint, notAfter);
    }
}
