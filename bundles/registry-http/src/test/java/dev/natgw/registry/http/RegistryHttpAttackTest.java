package dev.natgw.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.traversal.Identity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the registry's HTTP face, made for real: HTTP clients and raw sockets on loopback against
 * {@link RegistryHttpManager} serving the face on Pax Web's Jetty. Each attacker and each honest peer has its own
 * loopback address (127.0.x.y), so that the face sees them as the sources they would be on a network. Each attack
 * must fail while an honest peer keeps working.
 */
class RegistryHttpAttackTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryManager registry = TestRegistry.start();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private JettyHttpService http;
    private boolean registryStopped;
    private RegistryHttpFace face;

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (http != null) {
            http.close();
        }
        if (!registryStopped) {
            TestRegistry.stop(registry);
        }
    }

    private void serve(Map<String, ?> config) throws Exception {
        http = new JettyHttpService();
        RegistryHttpManager manager = new RegistryHttpManager(http, registry, ConfigProxy.of(RegistryHttpConfig.class,
                config));
        face = manager.face();
        http.start();
    }

    private HttpClient client(String source) throws IOException {
        HttpClient c = HttpClient.newBuilder().localAddress(InetAddress.getByName(source)).version(
                HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        closing.add(c);
        return c;
    }

    private HttpResponse<String> post(HttpClient c, String op, JsonNode body) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(http.base() + "/" + op)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(JSON
                        .writeValueAsBytes(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> lookup(HttpClient c, String key) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(http.base() + "/lookup?key=" + key)).timeout(Duration
                .ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode announce(Identity id, String value) {
        return RegistryHttpFaceTest.signed(id, id.key(), "announce", value, 60, System.currentTimeMillis());
    }

    private static String error(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).path("error").asText();
    }

    // ---- floods

    @Test
    void aWriteFloodFromOneKeyDoesNotDelayAnotherKeysAnnouncements() throws Exception {
        serve(Map.of());
        HttpClient honest = client("127.0.2.1");
        Identity h = Identity.generate();
        List<Long> quiet = honestAnnouncements(honest, h, 20);

        Identity flooder = Identity.generate();
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        LongAdder sent = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> attackers = new ArrayList<>();
        // bounded: 20,000 requests per attacker or 60 s, whichever comes first
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int t = 0; t < 4; t++) {
            // eight addresses of one /24: nonces, values and fresh keys
            HttpClient c = client("127.0.1." + (1 + t));
            HttpClient c2 = client("127.0.1." + (5 + t));
            int kind = t % 3;
            attackers.add(pool.submit(() -> {
                for (int i = 0; i < 20_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                    Identity id = kind == 2 ? Identity.generate() : flooder;
                    String value = kind == 1 ? "tcp://198.18.9.9:" + (1000 + i % 60000) : "tcp://198.18.9.9:80";
                    HttpResponse<String> r = post(i % 2 == 0 ? c : c2, "announce", announce(id, value));
                    statuses.computeIfAbsent(r.statusCode(), k -> new LongAdder()).increment();
                    sent.increment();
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sent.sum() > 500);
        List<Long> flooded = honestAnnouncements(honest, h, 40);
        stop.set(true);
        for (Future<?> f : attackers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        System.out.printf("registry face, honest announcement latency (ms) quiet: %s; during a flood of %d"
                + " requests from one /24 (statuses %s, %d signatures verified): %s%n", summary(quiet), sent.sum(),
                statuses, face.verifications(), summary(flooded));
        assertThat(statuses.get(429).sum()).as("the flood was refused").isPositive();
        assertThat(face.verifications()).as("refused before the signature check").isLessThan(sent.sum());
        assertThat(registry.lookup(h.key(), 10)).hasSize(1);
    }

    /** {@return the latencies in ns} Announces a key's value n times; every one must succeed. */
    private List<Long> honestAnnouncements(HttpClient c, Identity h, int n) throws Exception {
        List<Long> ns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode body = announce(h, "tcp://198.18.0.5:443");
            long start = System.nanoTime();
            HttpResponse<String> r = post(c, "announce", body);
            ns.add(System.nanoTime() - start);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // an honest server renews at a human pace; five a second is its whole budget
            await().pollDelay(Duration.ofMillis(250)).until(() -> true);
        }
        return ns;
    }

    private static String summary(List<Long> ns) {
        List<Long> s = new ArrayList<>(ns);
        Collections.sort(s);
        return String.format("p50 %.2f, p90 %.2f, max %.2f (n=%d)", s.get(s.size() / 2) / 1e6, s.get(s.size() * 9
                / 10) / 1e6, s.get(s.size() - 1) / 1e6, s.size());
    }

    @Test
    void requestsOverTheSourceRateGet429WithoutASignatureCheck() throws Exception {
        serve(Map.of("rate.per.source", 5, "rate.per.key", 1000));
        HttpClient c = client("127.0.3.1");
        Identity id = Identity.generate();
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = post(c, "announce", announce(id, "tcp://198.18.0.6:80"));
            if (r.statusCode() == 429) {
                refused++;
                assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(error(r)).contains("rate.per.source");
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
                ok++;
            }
        }
        assertThat(refused).isPositive();
        assertThat(face.verifications()).as("only the admitted requests were verified").isEqualTo(ok);
        // another source is not touched
        assertThat(post(client("127.0.7.1"), "announce", announce(Identity.generate(), "tcp://198.18.0.7:80"))
                .statusCode()).isEqualTo(200);
    }

    @Test
    void requestsOverTheKeyRateGet429WithoutASignatureCheckAndOnlyTheOwnerSpendsIt() throws Exception {
        serve(Map.of("rate.per.source", 100_000, "rate.per.key", 3));
        Identity victim = Identity.generate();
        // someone else's junk claiming the victim's key: refused by the signature, never charged to the key
        HttpClient attacker = client("127.0.3.9");
        for (int i = 0; i < 30; i++) {
            ObjectNode junk = announce(victim, "tcp://198.18.0.66:80");
            junk.put("value", "tcp://198.18.0.67:80");
            assertThat(post(attacker, "announce", junk).statusCode()).isEqualTo(403);
        }
        // and replays of one of the victim's real requests: refused as replays, never charged to the key
        ObjectNode captured = announce(victim, "tcp://198.18.0.8:80");
        HttpClient c = client("127.0.3.2");
        assertThat(post(c, "announce", captured).statusCode()).isEqualTo(200);
        for (int i = 0; i < 10; i++) {
            assertThat(post(attacker, "announce", captured).statusCode()).isEqualTo(403);
        }
        long before = face.verifications();
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = post(c, "announce", announce(victim, "tcp://198.18.0.8:80"));
            if (r.statusCode() == 429) {
                refused++;
                assertThat(error(r)).contains("rate.per.key");
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                ok++;
            }
        }
        assertThat(ok).as("the owner's budget was whole").isGreaterThanOrEqualTo(2);
        assertThat(refused).isPositive();
        assertThat(face.verifications() - before).as("429s were not verified").isEqualTo(ok);
    }

    // ---- keys per source

    @Test
    void theKeysPerSourceCapHoldsPerPrefix() throws Exception {
        serve(Map.of("keys.per.source", 3, "wide.factor", 2));
        HttpClient a = client("127.0.4.1");
        HttpClient b = client("127.0.4.2");
        HttpClient c = client("127.0.4.3");
        List<Identity> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Identity id = Identity.generate();
            held.add(id);
            assertThat(post(a, "announce", announce(id, "tcp://198.18.0.9:80")).statusCode()).isEqualTo(200);
        }
        long verified = face.verifications();
        HttpResponse<String> over = post(a, "announce", announce(Identity.generate(), "tcp://198.18.0.9:80"));
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(error(over)).contains("keys.per.source");
        assertThat(face.verifications()).as("refused before the signature check").isEqualTo(verified);
        // renewing a key it holds is fine
        assertThat(post(a, "announce", announce(held.get(0), "tcp://198.18.0.9:80")).statusCode()).isEqualTo(200);
        // another address of the same /24: its own three, then the /24 (3 x 2) is full
        for (int i = 0; i < 3; i++) {
            assertThat(post(b, "announce", announce(Identity.generate(), "tcp://198.18.0.9:81")).statusCode())
                    .isEqualTo(200);
        }
        assertThat(post(c, "announce", announce(Identity.generate(), "tcp://198.18.0.9:82")).statusCode())
                .isEqualTo(429);
        // another /24 is not touched
        assertThat(post(client("127.0.5.1"), "announce", announce(Identity.generate(), "tcp://198.18.0.9:83"))
                .statusCode()).isEqualTo(200);
        // withdrawing a key's last value frees its place
        Identity first = held.get(0);
        assertThat(post(a, "withdraw", RegistryHttpFaceTest.signed(first, first.key(), "withdraw",
                "tcp://198.18.0.9:80", 0, System.currentTimeMillis())).statusCode()).isEqualTo(200);
        assertThat(post(a, "announce", announce(Identity.generate(), "tcp://198.18.0.9:84")).statusCode())
                .isEqualTo(200);
    }

    // ---- bodies

    private Socket socket(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", http.port()), 5000);
        s.setSoTimeout(60_000);
        closing.add(s);
        return s;
    }

    private static String headers(long length) {
        return headers(length, "");
    }

    /** {@return the headers of an announce with a body of {@code length} bytes (chunked if negative) and more} */
    private static String headers(long length, String more) {
        return "POST " + RegistryServlet.BASE + "/announce HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type:"
                + " application/json\r\n" + more + (length < 0
                        ? "Transfer-Encoding: chunked\r\n"
                        : "Content-Length: "
                                + length + "\r\n")
                + "\r\n";
    }

    /** {@return the whole answer, then [closed] if the connection closed, or the error that ended it} */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
            all.write("\n[closed]".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            all.write(("\n[" + e.getMessage() + "]").getBytes(StandardCharsets.US_ASCII));
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /**
     * A body announced over the bound is refused on its announced length. Jetty 9.4 (as Pax Web runs it) passes a
     * request that announces a body to the servlet once the body's first bytes arrive or the connection's idle timeout
     * (30 s) runs out ({@code HttpConfiguration.delayDispatchUntilContent}), so the refusal comes at once to a client
     * that asks before sending (Expect: 100-continue) or that starts sending; one that sends the headers alone and
     * waits gets it only after those 30 s, and is not tried here.
     */
    @Test
    void anOversizedBodyIsRefusedWithoutBeingRead() throws Exception {
        serve(Map.of());
        // asked first: the 413 instead of the 100 that would let the client send
        Socket s = socket("127.0.6.1");
        s.getOutputStream().write(headers(100_000_000, "Expect: 100-continue\r\n").getBytes(
                StandardCharsets.US_ASCII));
        String answer = readAnswer(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 413").contains("larger than 16384").contains("[closed]");

        // sent at once: refused on the first bytes, the connection closed before the rest
        Socket u = socket("127.0.6.1");
        OutputStream early = u.getOutputStream();
        early.write(headers(100_000_000).getBytes(StandardCharsets.US_ASCII));
        early.write(new byte[4096]);
        String sent = readAnswer(u.getInputStream());
        assertThat(sent).startsWith("HTTP/1.1 413").contains("larger than 16384").contains("[closed]");

        // a chunked body that never ends: cut off past the largest body
        Socket t = socket("127.0.6.1");
        OutputStream out = t.getOutputStream();
        out.write(headers(-1).getBytes(StandardCharsets.US_ASCII));
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sentBytes = new AtomicInteger();
        byte[] chunk = ("1000\r\n" + "x".repeat(4096) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        var _ = pace.scheduleAtFixedRate(() -> {
            try {
                if (sentBytes.get() < 1 << 20) {
                    out.write(chunk);
                    sentBytes.addAndGet(4096);
                }
            } catch (IOException e) {
                // cut off
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        try {
            String chunked = readAnswer(t.getInputStream());
            assertThat(chunked).startsWith("HTTP/1.1 413");
            assertThat(sentBytes.get()).as("cut off long before a megabyte").isLessThan(1 << 20);
        } finally {
            pace.shutdownNow();
        }
        assertThat(face.counters().get("refused.body.large")).isEqualTo(3);
    }

    @Test
    void aSlowBodyIsCutOffAtItsDeadlineWhileOthersAreServed() throws Exception {
        serve(Map.of("body.timeout", 2, "bodies.per.source", 4));
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
        try {
            List<Socket> slow = new ArrayList<>();
            List<AtomicInteger> dripped = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket s = socket("127.0.8.1");
                OutputStream out = s.getOutputStream();
                out.write(headers(1000).getBytes(StandardCharsets.US_ASCII));
                AtomicInteger sent = new AtomicInteger();
                // one byte every 100 ms: a thousand bytes would take 100 s
                var _ = pace.scheduleAtFixedRate(() -> {
                    try {
                        if (sent.get() < 1000) {
                            out.write('{');
                            sent.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // cut off
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);
                slow.add(s);
                dripped.add(sent);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dripped.stream().allMatch(d -> d.get() > 0));
            // a fifth body from the same source is refused at once, before it is read
            Socket fifth = socket("127.0.8.1");
            // (with its first byte: Jetty hands a request with a body over when some of the body is there)
            fifth.getOutputStream().write((headers(1000) + "{").getBytes(StandardCharsets.US_ASCII));
            assertThat(readAnswer(fifth.getInputStream())).startsWith("HTTP/1.1 429").contains("bodies.per.source");
            // an honest peer elsewhere is served meanwhile
            Identity h = Identity.generate();
            assertThat(post(client("127.0.9.1"), "announce", announce(h, "tcp://198.18.0.10:80")).statusCode())
                    .isEqualTo(200);
            for (int i = 0; i < slow.size(); i++) {
                String answer = readAnswer(slow.get(i).getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 408").contains("within 2 s").contains("Connection: close");
                assertThat(dripped.get(i).get()).as("cut off long before the body was sent").isLessThan(1000);
            }
        } finally {
            pace.shutdownNow();
        }
        assertThat(face.counters().get("refused.body.slow")).isEqualTo(4);
        // the slots are back: the source may send bodies again
        assertThat(post(client("127.0.8.1"), "announce", announce(Identity.generate(), "tcp://198.18.0.11:80"))
                .statusCode()).isEqualTo(200);
    }

    // ---- backend failures

    @Test
    void aBackendFailureGivesAnonymousCallersAGenericErrorAndTheLogTheDetail() throws Exception {
        serve(Map.of());
        HttpClient c = client("127.0.10.1");
        Identity id = Identity.generate();
        assertThat(post(c, "announce", announce(id, "tcp://198.18.0.12:80")).statusCode()).isEqualTo(200);
        // the registry stops under the face: every call now fails inside the backend
        TestRegistry.stop(registry);
        registryStopped = true;
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HttpResponse<String> looked;
        HttpResponse<String> announced;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            looked = lookup(c, id.key());
            announced = post(c, "announce", announce(id, "tcp://198.18.0.12:80"));
        } finally {
            System.setErr(err);
        }
        for (HttpResponse<String> r : List.of(looked, announced)) {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(error(r)).matches("registry unavailable \\(incident \\d+\\); try again later");
            assertThat(r.body()).doesNotContain("closed").doesNotContain("Exception");
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).contains("(incident 1)").contains("(incident 2)").contains("closed");
        assertThat(face.counters().get("backend.failures")).isEqualTo(2);
    }
}
