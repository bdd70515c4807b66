package dev.natgw.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.console.Fakes.TestDataplane;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricsProcessor;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.walkers.CollectorPrometheusMetricsWalker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console component outside OSGi: its Jetty on loopback with Vaadin and /metrics, started and stopped as DS would,
 * services bound and unbound under it. /metrics is read back with a Prometheus text-format parser (Hawkular's).
 */
class ConsoleManagerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ConsoleManager console;
    private int port;

    @BeforeAll
    static void realm() {
        TestRealm.install();
    }

    private void start(Object... config) throws Exception {
        port = freePort();
        console = new ConsoleManager();
        console.activate(onTestRealm(port, config), null);
    }

    /** {@return the configuration on this port against {@link TestRealm}, with these attributes set too} */
    static dev.natgw.console.internal.ConsoleConfig onTestRealm(int port, Object... config) {
        Object[] all = new Object[config.length + 4];
        all[0] = "port";
        all[1] = port;
        all[2] = "realm";
        all[3] = "test";
        System.arraycopy(config, 0, all, 4, config.length);
        return TestConfig.of(all);
    }

    @AfterEach
    void stop() {
        if (console != null) {
            console.deactivate();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Parses /metrics: family name to (labels to value). */
    private Map<String, Map<Map<String, String>, Double>> metrics(String body) {
        CollectorPrometheusMetricsWalker walker = new CollectorPrometheusMetricsWalker();
        new TextPrometheusMetricsProcessor(new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                walker).walk();
        Map<String, Map<Map<String, String>, Double>> out = new HashMap<>();
        for (MetricFamily f : walker.getAllMetricFamilies()) {
            Map<Map<String, String>, Double> values = new HashMap<>();
            for (Metric m : f.getMetrics()) {
                double v = m instanceof Gauge g ? g.getValue() : ((Counter) m).getValue();
                values.put(m.getLabels(), v);
            }
            out.put(f.getName(), values);
        }
        return out;
    }

    @Test
    void metricsFollowTheServicesAsTheyComeAndGo() throws Exception {
        start();
        var none = metrics(get("/metrics").body());
        assertThat(none.get("natgw_nat_up")).containsValue(0.0);
        assertThat(none.get("natgw_dataplane_up")).containsValue(0.0);
        assertThat(none.get("natgw_forwarder_up")).containsValue(0.0);
        assertThat(none).doesNotContainKey("natgw_nat_sessions");

        Fakes.GoingNat nat = Fakes.natWithFigures();
        TestDataplane dp = new TestDataplane();
        dp.rx.set(4242);
        Fakes.TestForwarder fwd = new Fakes.TestForwarder();
        fwd.bytes.set(777);
        console.bindNat(nat);
        console.bindDataplane(dp);
        console.bindForwarder(fwd);
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(
                "text/plain; version=0.0.4"));
        var m = metrics(r.body());
        assertThat(m.get("natgw_nat_up")).containsValue(1.0);
        assertThat(m.get("natgw_nat_sessions_alive")).containsValue(5.0);
        assertThat(m.get("natgw_nat_sessions")).containsEntry(Map.of("pool", "default", "protocol", "tcp"), 3.0)
                .containsEntry(Map.of("pool", "default", "protocol", "udp"), 1.0);
        assertThat(m.get("natgw_nat_pool_ports_in_use")).containsEntry(Map.of("pool", "default"), 8.0);
        assertThat(m.get("natgw_nat_pool_ports_held")).containsEntry(Map.of("pool", "default"), 3.0);
        assertThat(m.get("natgw_nat_address_worker_ports_in_use")).containsEntry(Map.of("pool", "default",
                "address", "198.19.0.1", "worker", "1"), 5.0);
        assertThat(m.get("natgw_nat_address_worker_ports_held")).containsEntry(Map.of("pool", "default",
                "address", "198.19.0.1", "worker", "0"), 4.0);
        assertThat(m.get("natgw_nat_tcp_sessions")).containsEntry(Map.of("state", "established"), 2.0)
                .containsEntry(Map.of("state", "fin_in"), 1.0).containsEntry(Map.of("state", "init_in"), 0.0);
        assertThat(m.get("natgw_nat_drops_total")).containsEntry(Map.of("reason", "fragment"), 9.0);
        assertThat(m.get("natgw_nat_packets_total")).containsEntry(Map.of("direction", "in2out"), 1000.0);
        assertThat(m.get("natgw_dataplane_port_packets_total")).containsEntry(Map.of("port", "inside",
                "direction", "rx"), 4242.0);
        assertThat(m.get("natgw_dataplane_worker_busy_ratio")).containsEntry(Map.of("worker", "1"), 0.5);
        assertThat(m.get("natgw_forwarder_relayed_bytes_total")).containsValue(777.0);
        assertThat(m.get("natgw_forwarder_servers")).containsValue(1.0);

        nat.gone = true;
        var gone = metrics(get("/metrics").body());
        assertThat(gone.get("natgw_nat_up")).containsValue(0.0);
        assertThat(gone).doesNotContainKey("natgw_nat_sessions_alive");
        console.unbindDataplane(dp);
        assertThat(metrics(get("/metrics").body()).get("natgw_dataplane_up")).containsValue(0.0);
    }

    @Test
    void metricsLoginWhenConfigured() throws Exception {
        start("metrics_auth", true);
        assertThat(get("/metrics").statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", basic("op", "wrong")).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", basic("guest", "guest-pw")).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", "Basic !!!").statusCode()).isEqualTo(401);
        HttpResponse<String> ok = get("/metrics", "Authorization", basic("op", "secret-pw"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(metrics(ok.body())).containsKey("natgw_nat_up");
    }

    @Test
    void failedLoginsLockTheClientOutForTheLockoutThenItMayTryAgain() throws Exception {
        start("metrics_auth", true, "login_max_failures", 3, "login_lockout", 2);
        for (int i = 0; i < 3; i++) {
            assertThat(get("/metrics", "Authorization", basic("op", "guess" + i)).statusCode()).isEqualTo(401);
        }
        // locked: even the right password is refused, without asking the realm, and the client is told when to
        // come back
        HttpResponse<String> locked = get("/metrics", "Authorization", basic("op", "secret-pw"));
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
        assertThat(get("/metrics", "Authorization", basic("someone-else", "x")).statusCode()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(
                () -> get("/metrics", "Authorization", basic("op", "secret-pw")).statusCode() == 200);
    }

    @Test
    void metricsNeedALoginWhenTheConsoleListensBeyondLoopbackAndStayOpenOnIt() throws Exception {
        // all addresses: reached here through loopback, but the listener is the one a network would reach
        start("bind_address", "0.0.0.0");
        HttpResponse<String> none = get("/metrics");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith(
                "Basic"));
        assertThat(none.body()).doesNotContain("natgw_nat_up");
        assertThat(get("/metrics", "Authorization", basic("guest", "guest-pw")).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = get("/metrics", "Authorization", basic("op", "secret-pw"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(metrics(ok.body())).containsKey("natgw_nat_up");
        // over the login page's throttle
        for (int i = 0; i < 4; i++) {
            assertThat(get("/metrics", "Authorization", basic("op", "guess" + i)).statusCode()).isEqualTo(401);
        }
        assertThat(get("/metrics", "Authorization", basic("op", "guess")).statusCode()).isEqualTo(429);
        console.deactivate();

        start(); // loopback: Prometheus on this host scrapes without credentials
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void noResponseMayBeFramedByAnotherPage() throws Exception {
        start("metrics_auth", true, "max_sessions", 2, "max_sessions_per_source", 1);
        List<HttpResponse<String>> responses = new java.util.ArrayList<>();
        responses.add(get("/"));
        responses.add(get("/login"));
        responses.add(get("/lumo/lumo.css", "Cookie", responses.getFirst().headers().firstValue("Set-Cookie")
                .orElseThrow().split(";")[0]));
        responses.add(get("/metrics"));
        responses.add(get("/metrics", "Authorization", basic("op", "secret-pw")));
        responses.add(get("/no-such-page")); // the address's one session is taken: refused by the session bound
        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 429, 200, 401, 200, 429);
        for (HttpResponse<String> r : responses) {
            assertThat(r.headers().allValues("Content-Security-Policy")).as(r.uri() + " " + r.statusCode())
                    .containsExactly("frame-ancestors 'none'");
            assertThat(r.headers().allValues("X-Frame-Options")).as(r.uri() + " " + r.statusCode())
                    .containsExactly("DENY");
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pageAndTheEmbeddedJarsStaticResourcesAreServed() throws Exception {
        start();
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<html");
        assertThat(get("/lumo/lumo.css").statusCode()).isEqualTo(200);
        assertThat(get("/console.css").body()).contains("natgw-absent");
        assertThat(get("/../etc/passwd").statusCode()).isNotEqualTo(200);
    }

    @Test
    void everyThreadStopsWithTheComponent() throws Exception {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        start();
        assertThat(get("/").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
        assertThat(consoleThreads()).isNotEmpty();
        console.deactivate();
        console = null;
        // every thread started since, other than this test's own HTTP client and waiter, has ended
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet()
                .stream().filter(t -> t.isAlive() && !before.contains(t))
                .map(Thread::getName).filter(n -> !n.startsWith("HttpClient") && !n.startsWith("awaitility")))
                .isEmpty());
    }

    @Test
    void badConfigurationOnModifyKeepsTheRunningConsole() throws Exception {
        start();
        console.modified(TestConfig.of("port", 0, "realm", "test"));
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void tlsServesHttpsWithTheConfiguredKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path ks = dev.natgw.console.internal.ConsoleSettingsTest.keystore(dir, "tls-test-pw");
        start("tls_enabled", true, "tls_keystore_path", ks.toString(), "tls_keystore_password", "tls-test-pw");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(ks)) {
            trust.load(in, "tls-test-pw".toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(metrics(r.body())).containsKey("natgw_nat_up");
        // plain HTTP on the TLS port gets no page: a TLS alert, which the HTTP client reports as a bad status line
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> get("/metrics")).isInstanceOf(IOException.class);
    }

    static List<String> consoleThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("natgw-console")).toList();
    }
}
