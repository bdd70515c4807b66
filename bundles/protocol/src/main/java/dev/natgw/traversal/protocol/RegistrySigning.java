package dev.natgw.traversal.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The bytes a signed request to the registry's HTTP face signs (docs/protocol.md, section 9). Stateless.
 */
public final class RegistrySigning {
    /** The first line of the signed text. */
    public static final String CONTEXT = "natgw-registry-v1";
    /** The operation that announces. */
    public static final String ANNOUNCE = "announce";
    /** The operation that withdraws. */
    public static final String WITHDRAW = "withdraw";

    private RegistrySigning() {
    }

    /** {@return the UTF-8 bytes of the signed text} */
    public static byte[] signedBytes(String op, String key, String value, long ttlSeconds, long timestamp,
            String nonce) {
        String text = CONTEXT + "\n" + op + "\n" + key + "\n" + value + "\n" + ttlSeconds + "\n" + timestamp + "\n"
                + nonce;
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
