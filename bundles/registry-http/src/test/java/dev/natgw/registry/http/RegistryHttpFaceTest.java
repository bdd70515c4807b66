package dev.natgw.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.protocol.RegistrySigning;
import dev.natgw.testing.ConfigProxy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP face's rules on a real embedded registry: open lookups, owner-only signed changes, no replays. */
class RegistryHttpFaceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryManager registry = TestRegistry.start();
    private final RegistryHttpFace face = new RegistryHttpFace(registry, Clock.systemUTC());
    /** A face whose rates never bind, to reach the bounds behind them. */
    private final RegistryHttpFace open = new RegistryHttpFace(registry, Clock.systemUTC(), settings(Map.of(
            "rate.per.source", 100_000, "rate.per.key", 10_000)));

    static RegistryHttpSettings settings(Map<String, ?> config) {
        return RegistryHttpSettings.of(ConfigProxy.of(RegistryHttpConfig.class, config));
    }

    @AfterEach
    void stop() {
        TestRegistry.stop(registry);
    }

    static ObjectNode signed(Identity signer, String key, String op, String value, long ttl, long timestamp) {
        String nonce = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(
                StandardCharsets.US_ASCII)).substring(0, 24);
        ObjectNode n = JSON.createObjectNode();
        n.put("key", key);
        n.put("value", value);
        n.put("ttlSeconds", ttl);
        n.put("publicKey", Base64.getEncoder().encodeToString(signer.publicKey().getEncoded()));
        n.put("timestamp", timestamp);
        n.put("nonce", nonce);
        n.put("signature", Base64.getEncoder().encodeToString(signer.sign(RegistrySigning.signedBytes(op, key,
                value, op.equals("announce") ? ttl : 0, timestamp, nonce))));
        return n;
    }

    private RegistryHttpFace.Answer post(String op, JsonNode body) throws Exception {
        return face.handle("POST", "/" + op, Map.of(), JSON.writeValueAsBytes(body));
    }

    private static JsonNode json(RegistryHttpFace.Answer a) throws Exception {
        return JSON.readTree(a.json());
    }

    @Test
    void ownerAnnouncesAnyoneLooksUpOwnerWithdraws() throws Exception {
        Identity id = Identity.generate();
        long now = System.currentTimeMillis();
        RegistryHttpFace.Answer a = post("announce", signed(id, id.key(), "announce", "natgw://198.19.0.1:7000", 30,
                now));
        assertThat(a.status()).as(json(a).toString()).isEqualTo(200);
        RegistryHttpFace.Answer l = face.handle("GET", "/lookup", Map.of("key", id.key()), null);
        assertThat(l.status()).isEqualTo(200);
        assertThat(json(l).get("entries").get(0).get("value").asText()).isEqualTo("natgw://198.19.0.1:7000");
        RegistryHttpFace.Answer w = post("withdraw", signed(id, id.key(), "withdraw", "natgw://198.19.0.1:7000", 0,
                now));
        assertThat(json(w).get("withdrawn").asBoolean()).isTrue();
        assertThat(registry.lookup(id.key(), 10)).isEmpty();
    }

    @Test
    void onlyTheOwnerMayAnnounceOrWithdraw() throws Exception {
        Identity owner = Identity.generate();
        Identity other = Identity.generate();
        long now = System.currentTimeMillis();
        assertThat(post("announce", signed(owner, owner.key(), "announce", "tcp://198.19.0.2:80", 30, now))
                .status()).isEqualTo(200);
        // someone else's key, signed with their own key pair
        RegistryHttpFace.Answer a = post("announce", signed(other, owner.key(), "announce", "tcp://198.19.0.66:80",
                30, now));
        assertThat(a.status()).isEqualTo(403);
        assertThat(json(a).get("error").asText()).contains("only its owner");
        assertThat(post("withdraw", signed(other, owner.key(), "withdraw", "tcp://198.19.0.2:80", 0, now))
                .status()).isEqualTo(403);
        // the owner's public key with a signature over other bytes
        ObjectNode forged = signed(owner, owner.key(), "announce", "tcp://198.19.0.66:80", 30, now);
        forged.put("value", "tcp://198.19.0.67:80");
        assertThat(post("announce", forged).status()).isEqualTo(403);
        // a non-owner-derived key such as the forwarders' key cannot be announced over HTTP
        assertThat(post("announce", signed(other, "natgw/forwarders", "announce", "natgw://198.19.0.66:7000", 30,
                now)).status()).isEqualTo(403);
        assertThat(registry.lookup(owner.key(), 10)).extracting(e -> e.value()).containsExactly(
                "tcp://198.19.0.2:80");
    }

    @Test
    void replayedAndStaleRequestsAreRefused() throws Exception {
        Identity id = Identity.generate();
        ObjectNode body = signed(id, id.key(), "announce", "tcp://198.19.0.2:80", 30, System.currentTimeMillis());
        assertThat(post("announce", body).status()).isEqualTo(200);
        RegistryHttpFace.Answer again = post("announce", body);
        assertThat(again.status()).isEqualTo(403);
        assertThat(json(again).get("error").asText()).contains("replayed");
        assertThat(post("announce", signed(id, id.key(), "announce", "tcp://198.19.0.2:80", 30, System
                .currentTimeMillis() - 120_000)).status()).isEqualTo(403);
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        Identity id = Identity.generate();
        assertThat(face.handle("POST", "/announce", Map.of(), null).status()).isEqualTo(413);
        assertThat(face.handle("POST", "/announce", Map.of(), "{not json".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(400);
        assertThat(face.handle("POST", "/announce", Map.of(), "{\"key\":\"a\"}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(400);
        assertThat(face.handle("GET", "/lookup", Map.of(), null).status()).isEqualTo(400);
        assertThat(face.handle("GET", "/lookup", Map.of("key", "bad key!"), null).status()).isEqualTo(400);
        assertThat(face.handle("GET", "/lookup", Map.of("key", "a", "max", "0"), null).status()).isEqualTo(400);
        assertThat(face.handle("GET", "/nothing", Map.of(), null).status()).isEqualTo(404);
        assertThat(face.handle("GET", "/announce", Map.of(), null).status()).isEqualTo(405);
        RegistryHttpFace.Answer ttl = post("announce", signed(id, id.key(), "announce", "tcp://198.19.0.2:80",
                999_999, System.currentTimeMillis()));
        assertThat(ttl.status()).isEqualTo(400);
        assertThat(json(ttl).get("error").asText()).contains("ttl");
    }

    private RegistryHttpFace.Answer postFrom(RegistryHttpFace f, String source, String op, JsonNode body)
            throws Exception {
        try (RegistryHttpFace.Admission a = f.admit(InetAddress.ofLiteral(source), true)) {
            return a.refusal() != null
                    ? a.refusal()
                    : f.handle(a, "POST", "/" + op, Map.of(), JSON.writeValueAsBytes(
                            body));
        }
    }

    @Test
    void aKeyHoldsABoundedNumberOfValues() throws Exception {
        Identity id = Identity.generate();
        long now = System.currentTimeMillis();
        for (int i = 0; i < RegistryHttpFace.MAX_VALUES_PER_KEY; i++) {
            assertThat(postFrom(open, "127.0.0.1", "announce", signed(id, id.key(), "announce", "tcp://198.19.0.2:"
                    + (1000 + i), 30, now)).status()).isEqualTo(200);
        }
        assertThat(postFrom(open, "127.0.0.1", "announce", signed(id, id.key(), "announce", "tcp://198.19.0.2:2000",
                30, now)).status()).isEqualTo(409);
        // renewing one it holds is fine
        assertThat(postFrom(open, "127.0.0.1", "announce", signed(id, id.key(), "announce", "tcp://198.19.0.2:1000",
                30, now)).status()).isEqualTo(200);
    }

    @Test
    void theDefaultsAreTheMetatypeDefaults() {
        assertThat(settings(Map.of())).isEqualTo(RegistryHttpSettings.DEFAULTS);
    }

    @Test
    void oneKeysNoncesNeverCrowdOutAnotherKey() throws Exception {
        // the old face kept one cache of 100,000 nonces for all keys: one key filled it and every write got 503
        Identity flooder = Identity.generate();
        Identity honest = Identity.generate();
        long now = System.currentTimeMillis();
        for (int i = 0; i < 2_000; i++) {
            assertThat(postFrom(open, "198.18.1.1", "announce", signed(flooder, flooder.key(), "announce",
                    "tcp://198.19.0.3:80", 30, now + i)).status()).isEqualTo(200);
        }
        ObjectNode first = signed(honest, honest.key(), "announce", "tcp://198.19.0.4:80", 30, now);
        assertThat(postFrom(open, "198.18.2.1", "announce", first).status()).isEqualTo(200);
        // replays stay refused for both keys
        assertThat(postFrom(open, "198.18.2.1", "announce", first).status()).isEqualTo(403);
        // a key remembers its latest nonces; a request older than all of them could be a replay
        RegistryHttpFace.Answer old = postFrom(open, "198.18.1.1", "announce", signed(flooder, flooder.key(),
                "announce", "tcp://198.19.0.3:80", 30, now));
        assertThat(old.status()).isEqualTo(403);
        assertThat(json(old).get("error").asText()).contains("sign it again");
    }

    @Test
    void anIpv6SlashSixtyFourIsOneSourceAndASlashFortyEightOneWideSource() throws Exception {
        RegistryHttpFace f = new RegistryHttpFace(registry, Clock.systemUTC(), settings(Map.of("keys.per.source", 2,
                "wide.factor", 2)));
        long now = System.currentTimeMillis();
        // two keys from two addresses of one /64
        for (String source : List.of("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe")) {
            Identity id = Identity.generate();
            assertThat(postFrom(f, source, "announce", signed(id, id.key(), "announce", "tcp://198.19.0.5:80", 30,
                    now)).status()).isEqualTo(200);
        }
        Identity third = Identity.generate();
        RegistryHttpFace.Answer refused = postFrom(f, "2001:db8:1:2:abcd::9", "announce", signed(third, third.key(),
                "announce", "tcp://198.19.0.5:80", 30, now));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(json(refused).get("error").asText()).contains("2001:db8:1:2:0:0:0:0/64");
        // another /64 of the same /48 has its own two, and then the /48 (2 x 2) is full
        for (String source : List.of("2001:db8:1:3::1", "2001:db8:1:3::2")) {
            Identity id = Identity.generate();
            assertThat(postFrom(f, source, "announce", signed(id, id.key(), "announce", "tcp://198.19.0.5:80", 30,
                    now)).status()).isEqualTo(200);
        }
        assertThat(postFrom(f, "2001:db8:1:4::1", "announce", signed(third, third.key(), "announce",
                "tcp://198.19.0.5:80", 30, now)).status()).isEqualTo(429);
        // another /48 is not touched, and an IPv4-mapped address counts as IPv4
        assertThat(postFrom(f, "2001:db8:2::1", "announce", signed(third, third.key(), "announce",
                "tcp://198.19.0.5:80", 30, now)).status()).isEqualTo(200);
        assertThat(SourcePrefix.of(InetAddress.ofLiteral("::ffff:198.18.7.9"), f.settings())).isEqualTo(
                new SourcePrefix("198.18.7.9/32", "198.18.7.0/24"));
    }

    @Test
    void theServletReadsThePeerAddressAsTheServerWritesIt() {
        assertThat(RegistryServlet.peer("198.18.0.7")).isEqualTo(InetAddress.ofLiteral("198.18.0.7"));
        assertThat(RegistryServlet.peer("[2001:db8::1]")).isEqualTo(InetAddress.ofLiteral("2001:db8::1"));
        assertThat(RegistryServlet.peer("fe80::1%lo")).isEqualTo(InetAddress.ofLiteral("fe80::1"));
        assertThat(RegistryServlet.peer("not an address")).isEqualTo(InetAddress.ofLiteral("::"));
    }

    @Test
    void theSourceRateCountsWholePrefixes() {
        RegistryHttpFace f = new RegistryHttpFace(registry, Clock.systemUTC(), settings(Map.of("rate.per.source", 3,
                "wide.factor", 2)));
        int admitted = 0;
        // 20 addresses of one /64: three requests in all
        for (int i = 1; i <= 20; i++) {
            try (RegistryHttpFace.Admission a = f.admit(InetAddress.ofLiteral("2001:db8:5:6::" + i), false)) {
                admitted += a.refusal() == null ? 1 : 0;
            }
        }
        assertThat(admitted).isEqualTo(3);
        // 20 /64s of one /48: six in all (3 x 2)
        admitted = 0;
        for (int i = 1; i <= 20; i++) {
            try (RegistryHttpFace.Admission a = f.admit(InetAddress.ofLiteral("2001:db8:7:" + i + "::1"), false)) {
                admitted += a.refusal() == null ? 1 : 0;
            }
        }
        assertThat(admitted).isEqualTo(6);
        assertThat(f.counters().get("refused.source.rate")).isEqualTo(17 + 14);
        assertThat(f.verifications()).isZero();
    }
}
