package dev.natgw.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.console.internal.SessionGate;
import java.lang.management.ManagementFactory;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's session bounds attacked for real: HTTP clients on loopback addresses (127.0.0.1 to 127.0.0.4, all on
 * this machine) ask for the console's page without a cookie, so each asks for a new session, against a started
 * console. The operator's session is opened the same way and marked logged in as {@code ConsoleServlet.login} does
 * once the realm has accepted the password (a browser's login is {@code ConsoleBrowserIT}'s).
 */
class ConsoleSessionLimitTest {
    /** New-session requests per client address and wave. */
    private static final int PER_SOURCE = 100;
    private static final List<String> SOURCES = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4");

    private final Map<String, Set<String>> realm = new ConcurrentHashMap<>();
    private ConsoleManager console;
    private int port;

    @BeforeAll
    static void jaas() {
        TestRealm.install();
    }

    @AfterEach
    void stop() {
        if (console != null) {
            console.deactivate();
        }
    }

    private void start(Object... config) throws Exception {
        port = ConsoleManagerTest.freePort();
        // the users' roles as the realm holds them now, changed by the tests as jaas:role-delete would
        console = new ConsoleManager(user -> user.startsWith("ldap-")
                ? Optional.empty()
                : Optional.of(realm.getOrDefault(user, Set.of())));
        console.activate(ConsoleManagerTest.onTestRealm(port, config), null);
    }

    private HttpRequest page(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .build();
    }

    /** An operator: a browser-like client that keeps its cookie, with its session logged in as {@code user}. */
    private record Operator(HttpClient http, CookieManager cookies) {
        String sessionId() {
            return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
                    .map(HttpCookie::getValue).findFirst().orElseThrow();
        }
    }

    private Operator operator(String user) throws Exception {
        CookieManager cookies = new CookieManager();
        Operator op = new Operator(HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration
                .ofSeconds(10)).build(), cookies);
        assertThat(op.http().send(page("/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        SessionGate.Ticket ticket = console.sessions().ticket(jettyId(op.sessionId()));
        assertThat(ticket).isNotNull();
        assertThat(console.sessions().logIn(ticket, user)).isTrue();
        return op;
    }

    /** The session id without Jetty's node suffix, as HttpSession.getId gives it. */
    private static String jettyId(String cookie) {
        int dot = cookie.indexOf('.');
        return dot < 0 ? cookie : cookie.substring(0, dot);
    }

    /** Asks for the page without a cookie, {@value #PER_SOURCE} times from each source: status to count. */
    private Map<Integer, Integer> flood(Map<Integer, String> bodies) throws Exception {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (String source : SOURCES) {
            try (HttpClient http = HttpClient.newBuilder().localAddress(InetAddress.getByName(source))
                    .connectTimeout(Duration.ofSeconds(10)).build()) {
                // 10 at a time: a browser's worth of parallel requests, enough to race the gate
                for (int i = 0; i < PER_SOURCE; i += 10) {
                    List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
                    for (int j = 0; j < 10; j++) {
                        batch.add(http.sendAsync(page("/"), HttpResponse.BodyHandlers.ofString()));
                    }
                    for (CompletableFuture<HttpResponse<String>> f : batch) {
                        HttpResponse<String> r = f.join();
                        statuses.merge(r.statusCode(), 1, Integer::sum);
                        bodies.putIfAbsent(r.statusCode(), r.body());
                        if (r.statusCode() != 200) {
                            assertThat(r.headers().firstValue("Retry-After")).isPresent();
                            assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
                        }
                    }
                }
            }
        }
        return statuses;
    }

    private static long liveHeapMb() {
        // a full collection first, so that only what is still referenced counts
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    @Test
    void aFloodOfNewSessionsStaysBoundedAndTheLoggedInOperatorKeepsWorking() throws Exception {
        start(); // the shipped bounds: 64 sessions, 20 per address, at most 32 not logged in
        realm.put("op", Set.of("admin"));
        Operator op = operator("op");
        SessionGate gate = console.sessions();
        int threadsBefore = ConsoleManagerTest.consoleThreads().size();
        long heapBefore = liveHeapMb();

        Map<Integer, String> bodies = new TreeMap<>();
        Map<Integer, Integer> first = flood(bodies);
        // 127.0.0.1 gets the 19 places its address has left beside the operator, then 429; 127.0.0.2 the 13 left of
        // the visitors' half, then 503, as do the others
        assertThat(first).containsOnlyKeys(200, 429, 503);
        assertThat(first.get(200)).isEqualTo(32);
        assertThat(first.get(429)).isEqualTo(PER_SOURCE - 19);
        assertThat(gate.sessions()).isEqualTo(33);
        assertThat(gate.anonymous()).isEqualTo(32);
        assertThat(gate.from("127.0.0.1")).isEqualTo(20);
        assertThat(bodies.get(429)).contains("too many sessions from your address");
        assertThat(bodies.get(503)).contains("too many sessions");
        long heapFull = liveHeapMb();
        int threadsFull = ConsoleManagerTest.consoleThreads().size();

        // the logged-in operator is still served, in the same session, during and after the flood
        HttpResponse<String> still = op.http().send(page("/"), HttpResponse.BodyHandlers.ofString());
        assertThat(still.statusCode()).isEqualTo(200);
        SessionGate.Ticket ticket = gate.ticket(jettyId(op.sessionId()));
        assertThat(ticket).isNotNull();
        assertThat(ticket.user()).isEqualTo("op");
        assertThat(op.http().send(page("/metrics"), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);

        // a second wave opens nothing more and costs nothing more
        Map<Integer, Integer> second = flood(bodies);
        assertThat(second).containsOnlyKeys(429, 503);
        assertThat(gate.sessions()).isEqualTo(33);
        long heapAfter = liveHeapMb();
        int threadsAfter = ConsoleManagerTest.consoleThreads().size();
        System.out.printf("console session flood: %d requests per wave from %d addresses, first wave %s, second %s;"
                + " sessions %d (%d not logged in); live heap %d MiB before, %d after the first wave, %d after the"
                + " second; console threads %d, %d, %d%n", PER_SOURCE * SOURCES.size(), SOURCES.size(), first,
                second, gate.sessions(), gate.anonymous(), heapBefore, heapFull, heapAfter, threadsBefore,
                threadsFull, threadsAfter);
        assertThat(threadsAfter).isLessThanOrEqualTo(40);
        // 32 login pages' sessions are a few MiB; the second wave keeps none of its refused requests
        assertThat(heapFull - heapBefore).isLessThan(96);
        assertThat(heapAfter - heapFull).isLessThan(16);
    }

    @Test
    void abandonedSessionsThatNeverLogInFreeTheirPlacesAfterTheLoginTimeout() throws Exception {
        // long enough for three requests on a loaded machine (at 10 s, the first had expired before the third)
        start("max_sessions", 4, "max_sessions_per_source", 2, "session_login_timeout", 30);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 2; i++) {
            assertThat(http.send(page("/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(http.send(page("/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
        assertThat(console.sessions().sessions()).isEqualTo(2);
        // 30 s idle, and Jetty's sweep for expired sessions every 10 s
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> console.sessions()
                .sessions() == 0);
        assertThat(console.sessions().sources()).isZero();
        assertThat(http.send(page("/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void whatABrowserFetchesWithoutItsCookieAtEveryPageLoadHoldsNoSession() throws Exception {
        start("max_sessions", 4, "max_sessions_per_source", 2);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        // the web manifest and its icons (Vaadin opens a session to answer them), and static files
        for (String path : List.of("/manifest.webmanifest", "/icons/icon-192x192.png", "/sw.js", "/lumo/lumo.css",
                "/manifest.webmanifest", "/icons/icon-192x192.png")) {
            assertThat(http.send(page(path), HttpResponse.BodyHandlers.ofString()).statusCode()).as(path)
                    .isEqualTo(200);
            // ended as the request leaves the filter, which may be just after the client has the whole answer
            await().atMost(Duration.ofSeconds(10)).until(() -> console.sessions().sessions() == 0);
        }
        assertThat(http.send(page("/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(console.sessions().sessions()).isEqualTo(1);
    }

    @Test
    void aSessionWhoseUserWasRemovedOrLostTheRoleEndsWithinTheRecheckInterval() throws Exception {
        start("session_recheck", 1);
        realm.put("op", Set.of("admin"));
        realm.put("viewer1", Set.of("viewer"));
        realm.put("keeps", Set.of("viewer", "other"));
        Operator removed = operator("op");
        Operator demoted = operator("viewer1");
        Operator kept = operator("keeps");
        Operator unknowable = operator("ldap-user");
        SessionGate gate = console.sessions();
        assertThat(gate.sessions()).isEqualTo(4);

        realm.remove("op"); // jaas:user-delete
        realm.put("viewer1", Set.of("guest")); // jaas:role-delete viewer1 viewer
        realm.put("keeps", Set.of("viewer")); // lost a role it did not need
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> gate.sessions() == 2);
        assertThat(gate.ticket(jettyId(removed.sessionId()))).isNull();
        assertThat(gate.ticket(jettyId(demoted.sessionId()))).isNull();
        assertThat(gate.ticket(jettyId(kept.sessionId())).user()).isEqualTo("keeps");
        // a realm that cannot tell (no backing engine to ask) leaves the session to its idle timeout
        assertThat(gate.ticket(jettyId(unknowable.sessionId())).user()).isEqualTo("ldap-user");

        // the removed user's browser finds itself at a new session, not logged in
        String before = removed.sessionId();
        assertThat(removed.http().send(page("/"), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        assertThat(removed.sessionId()).isNotEqualTo(before);
        assertThat(gate.ticket(jettyId(removed.sessionId())).user()).isNull();
    }
}
