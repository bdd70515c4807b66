package dev.natgw.traversal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.natgw.traversal.protocol.RegistrySigning;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The registry's HTTP face seen from outside the appliance (docs/protocol.md, section 9): open lookups, and
 * announcements and withdrawals signed with the owner's identity. Thread-safe.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param base the face's base URI, such as {@code http://127.0.0.1:8181/natgw/registry/v1}
     * @param timeout the longest a request may take
     */
    public RegistryClient(URI base, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Looks a key up.
     *
     * @return the values under the key, at most max
     * @throws IOException if the registry cannot be reached or answers with an error
     */
    public List<String> lookup(String key, int max) throws IOException {
        URI uri = base.resolve("lookup?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&max=" + max);
        JsonNode answer = send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
        List<String> values = new ArrayList<>();
        for (JsonNode e : answer.path("entries")) {
            values.add(e.path("value").asText());
        }
        return values;
    }

    /** Announces value under the identity's key for ttl. */
    public void announce(Identity id, String value, Duration ttl) throws IOException {
        signed(id, RegistrySigning.ANNOUNCE, value, ttl.toSeconds());
    }

    /** {@return true if the value was announced and is withdrawn now} */
    public boolean withdraw(Identity id, String value) throws IOException {
        return signed(id, RegistrySigning.WITHDRAW, value, 0).path("withdrawn").asBoolean();
    }

    private JsonNode signed(Identity id, String op, String value, long ttlSeconds) throws IOException {
        byte[] n = new byte[16];
        RANDOM.nextBytes(n);
        String nonce = Base64.getEncoder().encodeToString(n);
        long timestamp = System.currentTimeMillis();
        byte[] signature = id.sign(RegistrySigning.signedBytes(op, id.key(), value, ttlSeconds, timestamp, nonce));
        ObjectNode body = JSON.createObjectNode();
        body.put("key", id.key());
        body.put("value", value);
        body.put("ttlSeconds", ttlSeconds);
        body.put("publicKey", Base64.getEncoder().encodeToString(id.publicKey().getEncoded()));
        body.put("timestamp", timestamp);
        body.put("nonce", nonce);
        body.put("signature", Base64.getEncoder().encodeToString(signature));
        return send(HttpRequest.newBuilder(base.resolve(op)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("registry " + request.uri() + " answered " + response.statusCode()
                    + " without JSON");
        }
        if (response.statusCode() != 200) {
            throw new IOException("registry " + request.uri() + " answered " + response.statusCode() + ": " + body
                    .path("error").asText());
        }
        return body;
    }
}
