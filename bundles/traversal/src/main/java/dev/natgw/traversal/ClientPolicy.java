package dev.natgw.traversal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which clients a {@link TraversalServer} serves, checked by the server library inside the end-to-end channel, after
 * the client has proven who the server is: optionally a shared secret the client must present, optionally a list of
 * client keys (a client proves its key with its own {@link Identity}), and optionally the application's own
 * {@link Filter}, which sees the client's address and key. A client refused gets an {@code ERROR DECLINED} with the
 * reason and never reaches {@link TraversalServer#accept()}. Immutable; build with {@link #builder()}.
 */
public final class ClientPolicy {
    /** Serves every client that knows the key. */
    public static final ClientPolicy OPEN = builder().build();

    /** The application's say on a client. */
    @FunctionalInterface
    public interface Filter {
        /**
         * Decides on a client; runs on the thread of that client's handshake.
         *
         * @return null to serve the client, or the reason it is declined (sent to the client)
         */
        String decline(ClientInfo client);
    }

    private final byte[] secretDigest;
    private final Set<String> allowed;
    private final Filter filter;

    private ClientPolicy(byte[] secretDigest, Set<String> allowed, Filter filter) {
        this.secretDigest = secretDigest;
        this.allowed = Set.copyOf(allowed);
        this.filter = filter;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@return true if clients must present a secret} */
    public boolean needsSecret() {
        return secretDigest != null;
    }

    /** {@return the client keys served, empty for any} */
    public Set<String> allowedKeys() {
        return allowed;
    }

    /**
     * Checks a client that presented this secret (empty for none).
     *
     * @return null to serve it, or why it is declined
     */
    String check(ClientInfo client, byte[] secret) {
        if (secretDigest != null && !MessageDigest.isEqual(secretDigest, sha256(secret))) {
            return secret.length == 0
                    ? "this server needs a client secret"
                    : "wrong client secret";
        }
        if (!allowed.isEmpty() && (client.key() == null || !allowed.contains(client.key()))) {
            return client.key() == null
                    ? "this server serves only listed client keys; show an identity"
                    : "client key " + client.key() + " is not allowed";
        }
        if (filter != null) {
            String reason;
            try {
                reason = filter.decline(client);
            } catch (RuntimeException e) {
                reason = "the server's filter failed";
            }
            return reason;
        }
        return null;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** Builds a policy; every setter returns the builder. */
    public static final class Builder {
        private byte[] secretDigest;
        private final Set<String> allowed = new LinkedHashSet<>();
        private Filter filter;

        /** Clients must present this secret (1..1024 bytes); compared in constant time. */
        public Builder secret(byte[] secret) {
            if (secret.length < 1 || secret.length > E2e.MAX_SECRET) {
                throw new IllegalArgumentException("a client secret must be 1.." + E2e.MAX_SECRET + " bytes, was "
                        + secret.length);
            }
            this.secretDigest = sha256(secret);
            return this;
        }

        /** As {@link #secret(byte[])}, with the UTF-8 bytes of the text. */
        public Builder secret(String secret) {
            return secret(secret.getBytes(StandardCharsets.UTF_8));
        }

        /** Serves clients that prove this key (repeatable); with none given, any client. */
        public Builder allow(String clientKey) {
            if (!dev.natgw.traversal.protocol.Keys.isKey(clientKey)) {
                throw new IllegalArgumentException("not a key: " + clientKey);
            }
            allowed.add(clientKey);
            return this;
        }

        /** Asks the application about each client the secret and the list let through. */
        public Builder filter(Filter f) {
            this.filter = Objects.requireNonNull(f, "filter");
            return this;
        }

        public ClientPolicy build() {
            return new ClientPolicy(secretDigest, allowed, filter);
        }
    }
}
