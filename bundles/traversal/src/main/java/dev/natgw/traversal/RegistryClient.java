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
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;

/**
 * The registry's HTTP face seen from outside the appliance (docs/protocol.md, section 9): open lookups, and
 * announcements and withdrawals signed with the owner's identity. An {@code https} base with a fragment
 * {@code #sha256:HEX} is pinned: only the certificate with that SHA-256 fingerprint (the one {@code natgw:status}
 * shows) is accepted, self-signed or not, whatever host it names, and no trust store is needed; without a pin the
 * JVM's trust store decides. Thread-safe.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param base the face's base URI, such as {@code http://127.0.0.1:8181/natgw/registry/v1}, or
     *     {@code https://198.19.0.1:8443/natgw/registry/v1#sha256:HEX} pinned to the face's certificate
     * @param timeout the longest a request may take
     * @throws IllegalArgumentException if the fragment is not a pin, or pins a base that is not https
     */
    public RegistryClient(URI base, Duration timeout) {
        String pin = base.getRawFragment();
        String b = base.toString();
        if (pin != null) {
            b = b.substring(0, b.indexOf('#'));
            if (!pin.matches("sha256:[0-9a-f]{64}") || !"https".equalsIgnoreCase(base.getScheme())) {
                throw new IllegalArgumentException("a registry pin is #sha256: and 64 lowercase hex digits after an"
                        + " https URL: " + base);
            }
        }
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).version(
                HttpClient.Version.HTTP_1_1);
        if (pin != null) {
            builder.sslContext(PinnedTrust.context(pin, "the registry", "pinned"));
        }
        this.http = builder.build();
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
        } catch (SSLHandshakeException e) {
            // the certificate check's own words (a wrong pin names both fingerprints) rather than the JDK's wrapper
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof CertificateException)) {
                cause = cause.getCause();
            }
            throw new IOException("registry " + request.uri() + ": TLS refused: " + cause.getMessage(), e);
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
