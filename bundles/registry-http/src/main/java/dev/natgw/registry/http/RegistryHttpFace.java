package dev.natgw.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryKeys;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.ProtocolException;
import dev.natgw.traversal.protocol.RegistrySigning;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry's HTTP face without the HTTP server (docs/protocol.md, section 9): a request's method, path, query and
 * body in, a status and a JSON document out. Lookups are open; announce and withdraw are accepted only for a key
 * derived from the request's Ed25519 public key, with a valid signature, a timestamp within {@link #SKEW} and a nonce
 * not seen in the last {@link #REPLAY_WINDOW}. The nonce cache is bounded ({@link #MAX_NONCES}); when full, signed
 * requests get 503 until nonces age out. Thread-safe.
 */
public final class RegistryHttpFace {
    /** The largest request body. */
    public static final int MAX_BODY = 16 * 1024;
    /** How far a request's timestamp may be from this clock. */
    public static final Duration SKEW = Duration.ofSeconds(60);
    /** How long a nonce is remembered. */
    public static final Duration REPLAY_WINDOW = Duration.ofSeconds(120);
    /** The most nonces remembered at once. */
    public static final int MAX_NONCES = 100_000;
    /** The most values one key may hold. */
    public static final int MAX_VALUES_PER_KEY = 8;
    private static final int MAX_LOOKUP = 100;

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final Registry registry;
    private final Clock clock;
    private final LinkedHashMap<String, Long> nonces = new LinkedHashMap<>();

    /** A status and the object written as its JSON body. */
    public record Answer(int status, Object body) {
        static Answer error(int status, String message) {
            return new Answer(status, Map.of("error", message));
        }

        /** {@return the body as JSON bytes} */
        public byte[] json() {
            try {
                return JSON.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A signed announce or withdraw, as the JSON body carries it. */
    record Signed(String key, String value, long ttlSeconds, String publicKey, long timestamp, String nonce,
            String signature) {
    }

    record EntryJson(String value, String expires) {
    }

    record LookupJson(String key, List<EntryJson> entries) {
    }

    record AnnouncedJson(String key, String value, String expires) {
    }

    record WithdrawnJson(boolean withdrawn) {
    }

    public RegistryHttpFace(Registry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Handles one request.
     *
     * @param method GET or POST
     * @param path the path below the face's base, such as {@code /lookup}
     * @param query the query parameters (first value of each)
     * @param body the body, or null if it was larger than {@link #MAX_BODY}
     */
    public Answer handle(String method, String path, Map<String, String> query, byte[] body) {
        try {
            return switch (path) {
                case "/lookup" -> "GET".equals(method)
                        ? lookup(query)
                        : Answer.error(405, "use GET for lookup");
                case "/announce", "/withdraw" -> "POST".equals(method)
                        ? signed(path.substring(1), body)
                        : Answer.error(405, "use POST for " + path.substring(1));
                default -> Answer.error(404, "no such resource: " + path + " (lookup, announce, withdraw)");
            };
        } catch (IllegalArgumentException e) {
            return Answer.error(400, e.getMessage());
        } catch (RuntimeException e) {
            return Answer.error(503, "registry unavailable: " + e.getMessage());
        }
    }

    private Answer lookup(Map<String, String> query) {
        String key = query.get("key");
        if (key == null) {
            return Answer.error(400, "lookup needs ?key=");
        }
        RegistryKeys.requireValid(key);
        int max = 16;
        String m = query.get("max");
        if (m != null) {
            try {
                max = Integer.parseInt(m);
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > MAX_LOOKUP) {
                return Answer.error(400, "max must be 1.." + MAX_LOOKUP + ", was " + m);
            }
        }
        List<EntryJson> entries = registry.lookup(key, max).stream()
                .map(e -> new EntryJson(e.value(), e.expires().toString())).toList();
        return new Answer(200, new LookupJson(key, entries));
    }

    private Answer signed(String op, byte[] body) {
        if (body == null) {
            return Answer.error(413, "body larger than " + MAX_BODY + " bytes");
        }
        Signed r;
        try {
            r = JSON.readValue(body, Signed.class);
        } catch (JsonProcessingException e) {
            return Answer.error(400, "body is not a signed request: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Answer.error(400, "body is not a signed request: " + e.getMessage());
        }
        if (r == null || r.key() == null || r.value() == null || r.publicKey() == null || r.nonce() == null || r
                .signature() == null) {
            return Answer.error(400, "key, value, publicKey, timestamp, nonce and signature are required");
        }
        RegistryKeys.requireValid(r.key());
        RegistryKeys.requireValidValue(r.value());
        if (r.nonce().length() < 16 || r.nonce().length() > 64) {
            return Answer.error(400, "nonce must be 16..64 characters");
        }
        PublicKey publicKey;
        byte[] signature;
        try {
            byte[] spki = Base64.getDecoder().decode(r.publicKey());
            publicKey = Keys.publicKey(spki);
            signature = Base64.getDecoder().decode(r.signature());
            if (!Keys.keyOf(spki).equals(r.key())) {
                return Answer.error(403, "key " + r.key() + " is not the key of this public key: only its owner may "
                        + op + " it");
            }
        } catch (IllegalArgumentException | ProtocolException e) {
            return Answer.error(403, "publicKey or signature is not valid: " + e.getMessage());
        }
        long ttl = RegistrySigning.ANNOUNCE.equals(op) ? r.ttlSeconds() : 0;
        if (!Keys.verify(publicKey, RegistrySigning.signedBytes(op, r.key(), r.value(), ttl, r.timestamp(), r
                .nonce()), signature)) {
            return Answer.error(403, "signature does not verify");
        }
        long now = clock.millis();
        if (Math.abs(now - r.timestamp()) > SKEW.toMillis()) {
            return Answer.error(403, "timestamp is more than " + SKEW.toSeconds() + " s from the registry's clock");
        }
        Answer replay = remember(r.key() + "/" + r.nonce(), now);
        if (replay != null) {
            return replay;
        }
        if (RegistrySigning.WITHDRAW.equals(op)) {
            return new Answer(200, new WithdrawnJson(registry.withdraw(r.key(), r.value())));
        }
        List<RegistryEntry> held = registry.lookup(r.key(), MAX_VALUES_PER_KEY + 1);
        if (held.size() >= MAX_VALUES_PER_KEY && held.stream().noneMatch(e -> e.value().equals(r.value()))) {
            return Answer.error(409, r.key() + " already holds " + MAX_VALUES_PER_KEY + " values");
        }
        RegistryEntry e = registry.announce(r.key(), r.value(), Duration.ofSeconds(r.ttlSeconds()));
        return new Answer(200, new AnnouncedJson(e.key(), e.value(), e.expires().toString()));
    }

    /** Remembers a nonce; an answer if it was seen or the cache is full, else null. */
    private synchronized Answer remember(String nonce, long now) {
        Iterator<Map.Entry<String, Long>> it = nonces.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() > now) {
                break;
            }
            it.remove();
        }
        if (nonces.containsKey(nonce)) {
            return Answer.error(403, "replayed request (nonce already used)");
        }
        if (nonces.size() >= MAX_NONCES) {
            return Answer.error(503, "too many signed requests; retry in " + REPLAY_WINDOW.toSeconds() + " s");
        }
        nonces.put(nonce, now + REPLAY_WINDOW.toMillis());
        return null;
    }
}
