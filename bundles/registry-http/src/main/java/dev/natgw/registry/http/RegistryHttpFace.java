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
import java.net.InetAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's HTTP face without the HTTP server (docs/protocol.md, section 9): a caller's address, a request's
 * method, path, query and body in, a status and a JSON document out. Lookups are open; announce and withdraw are
 * accepted only for a key derived from the request's Ed25519 public key, with a valid signature, a timestamp within
 * {@link #SKEW} and a nonce the key has not used (replay protection is per key: {@link KeyLimits}).
 *
 * <p>
 * The order of the checks is the defence: {@link #admit} spends the source's rate (and holds a body slot) before a
 * body is read; a signed request is then refused for its key's rate or its source's keys before its signature is
 * verified, so a flood costs a lookup in two bounded tables per request, not an Ed25519 verification. The backend's
 * failures reach the caller as a generic 503 with an incident number; the detail goes to the log. Thread-safe; the
 * settings can change at any time ({@link #settings(RegistryHttpSettings)}) without forgetting nonces or counts.
 */
public final class RegistryHttpFace {
    /** The default largest request body. */
    public static final int MAX_BODY = RegistryHttpSettings.DEFAULTS.bodyMaxBytes();
    /** How far a request's timestamp may be from this clock. */
    public static final Duration SKEW = Duration.ofSeconds(60);
    /** The default most values one key may hold. */
    public static final int MAX_VALUES_PER_KEY = RegistryHttpSettings.DEFAULTS.valuesPerKey();
    private static final int MAX_LOOKUP = 100;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpFace.class);

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final Registry registry;
    private final Clock clock;
    private final SourceLimits sources = new SourceLimits();
    private final KeyLimits keys = new KeyLimits();
    private final AtomicLong incidents = new AtomicLong();
    private final Map<String, LongAdder> counters = new LinkedHashMap<>();
    private final LongAdder verifications = counter("verifications");
    private final LongAdder refusedSourceRate = counter("refused.source.rate");
    private final LongAdder refusedSourceBodies = counter("refused.source.bodies");
    private final LongAdder refusedBodiesAll = counter("refused.bodies.all");
    private final LongAdder refusedSourcesFull = counter("refused.sources.full");
    private final LongAdder refusedKeyRate = counter("refused.key.rate");
    private final LongAdder refusedSourceKeys = counter("refused.source.keys");
    private final LongAdder refusedKeysFull = counter("refused.keys.full");
    private final LongAdder refusedReplay = counter("refused.replay");
    private final LongAdder refusedBodyLarge = counter("refused.body.large");
    private final LongAdder refusedBodySlow = counter("refused.body.slow");
    private final LongAdder backendFailures = counter("backend.failures");
    private final LongAdder refusedPlaintext = counter("refused.plaintext");
    /** Whether the refusal of plain HTTP beyond loopback was logged: once per face, not per request. */
    private final AtomicBoolean plaintextLogged = new AtomicBoolean();
    private volatile RegistryHttpSettings settings;

    /** A status, the object written as its JSON body, and the seconds of a Retry-After header (0: none). */
    public record Answer(int status, Object body, int retryAfter) {
        public Answer(int status, Object body) {
            this(status, body, 0);
        }

        static Answer error(int status, String message) {
            return new Answer(status, Map.of("error", message));
        }

        static Answer tooMany(String message) {
            return new Answer(429, Map.of("error", message), 1);
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

    /**
     * A request let in by {@link #admit}: where it comes from and, for one with a body, the body slot it holds until
     * {@link #close()}. Not thread-safe; {@link #close()} is idempotent.
     */
    public final class Admission implements AutoCloseable {
        private final SourcePrefix prefix;
        private final Answer refusal;
        private final AtomicBoolean holdsBody;

        Admission(SourcePrefix prefix, Answer refusal, boolean holdsBody) {
            this.prefix = prefix;
            this.refusal = refusal;
            this.holdsBody = new AtomicBoolean(holdsBody);
        }

        /** {@return the answer if the request was refused, else null} */
        public Answer refusal() {
            return refusal;
        }

        /** Gives back the body slot, if the request holds one. */
        @Override
        public void close() {
            if (holdsBody.compareAndSet(true, false)) {
                sources.bodyDone(prefix);
            }
        }
    }

    /** A failure of the registry behind the face, numbered and logged. */
    private static final class BackendFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long incident;

        BackendFailure(long incident) {
            super(null, null, false, false);
            this.incident = incident;
        }
    }

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

    /** A face with the default bounds ({@link RegistryHttpSettings#DEFAULTS}). */
    public RegistryHttpFace(Registry registry, Clock clock) {
        this(registry, clock, RegistryHttpSettings.DEFAULTS);
    }

    public RegistryHttpFace(Registry registry, Clock clock, RegistryHttpSettings settings) {
        this.registry = registry;
        this.clock = clock;
        this.settings = settings;
    }

    private LongAdder counter(String name) {
        LongAdder a = new LongAdder();
        counters.put(name, a);
        return a;
    }

    /**
     * {@return null if a request that reached the server at this local address may be served, else the refusal}
     * Plain HTTP is served on loopback only unless {@code allow.plaintext}: beyond loopback anyone on the path would
     * read and change the answers (lookups, announcements); HTTPS on the appliance's HTTP server is the way there.
     * Checked before anything else, so a refused request costs nothing more.
     *
     * @param local the server's address the request came in on
     * @param secure whether it came over HTTPS
     */
    public Answer transport(InetAddress local, boolean secure) {
        if (secure || local.isLoopbackAddress() || settings.allowPlaintext()) {
            return null;
        }
        refusedPlaintext.increment();
        if (plaintextLogged.compareAndSet(false, true)) {
            LOG.warn("natgw registry HTTP face: refusing plain HTTP on {}, which is not loopback; serve HTTPS there"
                    + " (docs/manual/registry.md), or set allow.plaintext = true in {}", local.getHostAddress(),
                    RegistryHttpManager.PID);
        }
        return Answer.error(403, "this registry face serves plain HTTP on loopback only: use HTTPS");
    }

    /** Applies new bounds at once; what was counted and the nonces seen are kept. */
    public void settings(RegistryHttpSettings next) {
        this.settings = next;
    }

    /** {@return the bounds in force} */
    public RegistryHttpSettings settings() {
        return settings;
    }

    /**
     * {@return the face's counters by name: signature verifications and refusals by reason} Read at any time; they
     * only grow.
     */
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** {@return how many signatures this face verified} */
    public long verifications() {
        return verifications.sum();
    }

    /**
     * Lets a request in, or not: first thing for every request, before its body is read. Spends a token of the
     * source's rate and, for a request with a body, takes a body slot.
     *
     * @param source the caller's address (the TCP peer's; never a header the caller writes)
     * @param body whether the request has a body to read
     * @return the admission; if {@link Admission#refusal()} is not null, answer with it and read nothing
     */
    public Admission admit(InetAddress source, boolean body) {
        RegistryHttpSettings s = settings;
        SourcePrefix p = SourcePrefix.of(source, s);
        SourceLimits.Verdict v = sources.admit(p, body, s, clock.millis());
        Answer refusal = switch (v) {
            case OK -> null;
            case RATE -> {
                refusedSourceRate.increment();
                yield Answer.tooMany("too many requests from " + p.source() + " or " + p.wide() + " (rate.per.source "
                        + s.ratePerSource() + "/s); retry in a second");
            }
            case BODIES -> {
                refusedSourceBodies.increment();
                yield Answer.tooMany("too many request bodies being sent from " + p.source() + " or " + p.wide()
                        + " (bodies.per.source " + s.bodiesPerSource() + ")");
            }
            case BODIES_ALL -> {
                refusedBodiesAll.increment();
                yield new Answer(503, Map.of("error", "too many request bodies being received; retry shortly"), 1);
            }
            case FULL -> {
                refusedSourcesFull.increment();
                yield new Answer(503, Map.of("error", "too many sources being tracked; retry shortly"), 1);
            }
            default -> throw new IllegalStateException(v.name());
        };
        return new Admission(p, refusal, body && v == SourceLimits.Verdict.OK);
    }

    /** Counts a body refused for its size (the HTTP server saw it first). */
    void bodyTooLarge() {
        refusedBodyLarge.increment();
    }

    /** Counts a body that did not arrive within the deadline. */
    void bodyTooSlow() {
        refusedBodySlow.increment();
    }

    /**
     * Handles one request from loopback: {@link #admit}, {@link #handle(Admission, String, String, Map, byte[])},
     * and the body slot given back. For servers that read the body themselves, such as the tests' JDK server.
     *
     * @param body the body, or null if it was larger than the largest body
     */
    public Answer handle(String method, String path, Map<String, String> query, byte[] body) {
        try (Admission a = admit(InetAddress.getLoopbackAddress(), false)) {
            return a.refusal() != null ? a.refusal() : handle(a, method, path, query, body);
        }
    }

    /**
     * Handles one admitted request.
     *
     * @param admission what {@link #admit} answered, without a refusal
     * @param method GET or POST
     * @param path the path below the face's base, such as {@code /lookup}
     * @param query the query parameters (first value of each)
     * @param body the body, or null if it was larger than the largest body
     */
    public Answer handle(Admission admission, String method, String path, Map<String, String> query, byte[] body) {
        try {
            return switch (path) {
                case "/lookup" -> "GET".equals(method)
                        ? lookup(query)
                        : Answer.error(405, "use GET for lookup");
                case "/announce", "/withdraw" -> "POST".equals(method)
                        ? signed(admission.prefix, path.substring(1), body)
                        : Answer.error(405, "use POST for " + path.substring(1));
                default -> Answer.error(404, "no such resource: " + path + " (lookup, announce, withdraw)");
            };
        } catch (BackendFailure e) {
            return Answer.error(503, "registry unavailable (incident " + e.incident + "); try again later");
        } catch (IllegalArgumentException e) {
            // the face's own checks of the caller's input; the backend's exceptions never get here
            return Answer.error(400, e.getMessage());
        } catch (RuntimeException e) {
            long incident = incidents.incrementAndGet();
            LOG.warn("registry HTTP face failed on {} {} (incident {})", method, path, incident, e);
            return Answer.error(500, "internal error (incident " + incident + ")");
        }
    }

    /** Calls the registry; its failure is logged with a new incident number and thrown as a BackendFailure. */
    private <T> T backend(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            backendFailures.increment();
            long incident = incidents.incrementAndGet();
            LOG.warn("registry backend failed on {} (incident {})", what, incident, e);
            throw new BackendFailure(incident);
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
        int bound = max;
        List<EntryJson> entries = backend("lookup " + key, () -> registry.lookup(key, bound)).stream()
                .map(e -> new EntryJson(e.value(), e.expires().toString())).toList();
        return new Answer(200, new LookupJson(key, entries));
    }

    private Answer signed(SourcePrefix source, String op, byte[] body) {
        RegistryHttpSettings s = settings;
        if (body == null) {
            return Answer.error(413, "body larger than " + s.bodyMaxBytes() + " bytes");
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
        boolean announce = RegistrySigning.ANNOUNCE.equals(op);
        if (announce && (r.ttlSeconds() < Registry.MIN_TTL.toSeconds() || r.ttlSeconds() > Registry.MAX_TTL
                .toSeconds())) {
            return Answer.error(400, "ttlSeconds must be " + Registry.MIN_TTL.toSeconds() + ".." + Registry.MAX_TTL
                    .toSeconds() + ", was " + r.ttlSeconds());
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
        long now = clock.millis();
        if (Math.abs(now - r.timestamp()) > SKEW.toMillis()) {
            return Answer.error(403, "timestamp is more than " + SKEW.toSeconds() + " s from the registry's clock");
        }
        // the cheap refusals, before the one expensive step
        if (!keys.mayWrite(r.key(), s, now)) {
            refusedKeyRate.increment();
            return Answer.tooMany("key " + r.key() + " made too many signed changes (rate.per.key " + s.ratePerKey()
                    + "/s); retry in a second");
        }
        if (announce && !sources.mayHold(source, r.key(), s, now)) {
            refusedSourceKeys.increment();
            return new Answer(429, Map.of("error", source.source() + " or " + source.wide() + " already holds its"
                    + " most keys (keys.per.source " + s.keysPerSource()
                    + "); withdraw one or wait for one to expire"));
        }
        long ttl = announce ? r.ttlSeconds() : 0;
        verifications.increment();
        if (!Keys.verify(publicKey, RegistrySigning.signedBytes(op, r.key(), r.value(), ttl, r.timestamp(), r
                .nonce()), signature)) {
            return Answer.error(403, "signature does not verify");
        }
        Answer refused = switch (keys.record(r.key(), r.nonce(), r.timestamp(), SKEW.toMillis(), s, now)) {
            case OK -> null;
            case REPLAYED -> {
                refusedReplay.increment();
                yield Answer.error(403, "replayed request (nonce already used)");
            }
            case TOO_OLD -> {
                refusedReplay.increment();
                yield Answer.error(403, "request older than the last " + KeyLimits.NONCES + " of key " + r.key()
                        + ": sign it again with a fresh timestamp");
            }
            case RATE -> {
                refusedKeyRate.increment();
                yield Answer.tooMany("key " + r.key() + " made too many signed changes (rate.per.key " + s
                        .ratePerKey() + "/s); retry in a second");
            }
            case FULL -> {
                refusedKeysFull.increment();
                yield new Answer(503, Map.of("error", "too many keys being tracked; retry shortly"), 1);
            }
        };
        if (refused != null) {
            return refused;
        }
        if (!announce) {
            boolean withdrawn = backend("withdraw " + r.key(), () -> registry.withdraw(r.key(), r.value()));
            if (backend("lookup " + r.key(), () -> registry.lookup(r.key(), 1)).isEmpty()) {
                sources.release(source, r.key());
            }
            return new Answer(200, new WithdrawnJson(withdrawn));
        }
        List<RegistryEntry> held = backend("lookup " + r.key(), () -> registry.lookup(r.key(), s.valuesPerKey() + 1));
        if (held.size() >= s.valuesPerKey() && held.stream().noneMatch(e -> e.value().equals(r.value()))) {
            return Answer.error(409, r.key() + " already holds " + s.valuesPerKey() + " values (values.per.key)");
        }
        RegistryEntry e = backend("announce " + r.key(), () -> registry.announce(r.key(), r.value(), Duration
                .ofSeconds(r.ttlSeconds())));
        sources.hold(source, r.key(), e.expires().toEpochMilli());
        return new Answer(200, new AnnouncedJson(e.key(), e.value(), e.expires().toString()));
    }
}
