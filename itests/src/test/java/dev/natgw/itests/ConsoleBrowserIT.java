package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.itests.traffic.TrafficDriver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in a browser: the natgw distribution started with its own scripts, the test-side
 * {@link TrafficDriver} bundle in deploy/ driving the NAT's packet stage, and Debian's headless Chromium driven by
 * Selenium through Debian's chromedriver (nothing downloads a browser). Screenshots go to target/screenshots.
 */
public class ConsoleBrowserIT {
    private static final String PASSWORD = "itest-console-pw";
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The width the console must fit without horizontal scrolling (issue 17). */
    private static final int WIDTH = 1280;
    /** Where the README's and the manual's screenshots live; written with {@code -Dnatgw.docs.write=true}. */
    private static final Path DOCS = Path.of("..", "docs");

    private static Distribution natgw;
    private static int port;
    private static String base;
    private static final List<WebDriver> browsers = new ArrayList<>();

    @BeforeClass
    public static void startNatgwWithTraffic() throws Exception {
        natgw = Distribution.unpack("console-browser");
        port = Integer.parseInt(NatgwContainer.freePort());
        Path cfg = natgw.home.resolve("etc/dev.natgw.console.cfg");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("(?m)^port = .*$", "port = " + port));
        writeTrafficBundle(natgw.home.resolve("deploy/itest-traffic.jar"));
        Distribution.Result start = natgw.exec(Map.of("NATGW_ADMIN_PASSWORD", PASSWORD), Duration.ofSeconds(60),
                "bin/start");
        assertEquals(start.output(), 0, start.exit());
        base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> http
                .send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body().contains("natgw_nat_up 1"));
        // the test's traffic driver plays the dataplane here, so the DPDK one (whose demo ports do not exist in
        // this test and which stays registered saying so) steps aside
        Distribution.Result stopped = natgw.client("admin", PASSWORD, "bundle:stop dev.natgw.dataplane.dpdk");
        assertEquals(stopped.output(), 0, stopped.exit());
        Files.createDirectories(SHOTS);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (WebDriver b : browsers) {
            try {
                b.quit();
            } catch (RuntimeException slow) {
                // a driver slow to stop must not leave the natgw JVM running for the next test class
            }
        }
        if (natgw != null) {
            natgw.close();
        }
    }

    /** The driver bundle: its classes and the NAT test-jar's frame builder, with a manifest of its own. */
    static void writeTrafficBundle(Path jar) throws Exception {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "dev.natgw.itest.traffic");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", TrafficDriver.class.getName());
        a.putValue("Import-Package", "org.osgi.framework,org.osgi.util.tracker,dev.natgw.api.dataplane,"
                + "dev.natgw.api.nat");
        Path tmp = Files.createTempFile(jar.getParent().getParent(), "traffic", ".tmp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp), mf)) {
            List<String> classes = new ArrayList<>(List.of("dev/natgw/nat/testing/Frames",
                    "dev/natgw/nat/testing/Frames$Builder"));
            Path own = Path.of(TrafficDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve("dev/natgw/itests/traffic");
            try (var files = Files.list(own)) {
                files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".class"))
                        .forEach(f -> classes.add("dev/natgw/itests/traffic/" + f.substring(0, f.length() - 6)));
            }
            for (String c : classes) {
                out.putNextEntry(new JarEntry(c + ".class"));
                try (InputStream in = ConsoleBrowserIT.class.getClassLoader().getResourceAsStream(c + ".class")) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
    }

    static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=" + WIDTH + ",1800");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        browsers.add(driver);
        return driver;
    }

    static void logIn(WebDriver b, String user, String password) {
        b.get(base + "/");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> b.getCurrentUrl().endsWith("/login")
                && !b.findElements(By.cssSelector("vaadin-login-form input[name=username]")).isEmpty());
        WebElement name = b.findElement(By.cssSelector("vaadin-login-form input[name=username]"));
        WebElement pw = b.findElement(By.cssSelector("vaadin-login-form input[name=password]"));
        name.sendKeys(user);
        pw.sendKeys(password);
        b.findElement(By.cssSelector("vaadin-login-form vaadin-button[slot=submit], vaadin-login-form"
                + " vaadin-button")).click();
    }

    /** {@return every sample of /metrics as {@code name{label=value,...}} to value} */
    static Map<String, Double> metrics() throws Exception {
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        org.hawkular.agent.prometheus.walkers.CollectorPrometheusMetricsWalker walker = new org.hawkular.agent.prometheus.walkers.CollectorPrometheusMetricsWalker();
        try (InputStream in = r.body()) {
            new org.hawkular.agent.prometheus.text.TextPrometheusMetricsProcessor(in, walker).walk();
        }
        Map<String, Double> out = new HashMap<>();
        for (var family : walker.getAllMetricFamilies()) {
            for (var m : family.getMetrics()) {
                String labels = new java.util.TreeMap<>(m.getLabels()).toString().replace(", ", ",");
                double v = m instanceof org.hawkular.agent.prometheus.types.Gauge g
                        ? g.getValue()
                        : ((org.hawkular.agent.prometheus.types.Counter) m).getValue();
                out.put(family.getName() + labels, v);
            }
        }
        return out;
    }

    /** Logs in as admin and waits for the Overview, where a login leads. */
    static void logInAsAdmin(WebDriver b) {
        for (int attempt = 1;; attempt++) {
            logIn(b, "admin", PASSWORD);
            try {
                await().atMost(Duration.ofSeconds(45)).ignoreExceptions().until(() -> b.findElement(By.id(
                        "sessions-alive")).isDisplayed());
                return;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // a login that did not lead to the Overview: say what the page showed, so that the cause can be
                // found, and log in again once, as a user would (seen once in CI with nine other tabs pushing)
                String state = pageState(b);
                if (attempt == 2) {
                    throw new AssertionError("not logged in after " + attempt + " attempts: " + state, e);
                }
                System.out.println("natgw console: login attempt " + attempt + " did not lead to the Overview: "
                        + state);
            }
        }
    }

    /** What a page shows, for a failure's message: its address, the login form's state and the text on it. */
    static String pageState(WebDriver b) {
        try {
            shot(b, "failed-" + System.nanoTime());
            return b.getCurrentUrl() + " " + js(b, "const f = document.querySelector('vaadin-login-form');"
                    + " return JSON.stringify({form: !!f, upgraded: !!customElements.get('vaadin-login-form'),"
                    + " error: f && f.error, disabled: f && f.disabled,"
                    + " user: (document.querySelector('vaadin-login-form input[name=username]') || {}).value,"
                    + " cookie: document.cookie, sw: !!(navigator.serviceWorker && navigator.serviceWorker.controller),"
                    + " text: document.body.innerText.slice(0, 400)})");
        } catch (RuntimeException | IOException e) {
            return "(no state: " + e + ")";
        }
    }

    static void shot(WebDriver b, String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));
    }

    /** A screenshot for the docs: to target/screenshots, and to docs/ as console-NAME.png when asked. */
    static void docShot(WebDriver b, String name) throws IOException {
        shot(b, "console-" + name);
        if (Boolean.getBoolean("natgw.docs.write")) {
            Files.copy(SHOTS.resolve("console-" + name + ".png"), DOCS.resolve("console-" + name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Object js(WebDriver b, String script, Object... args) {
        return ((org.openqa.selenium.JavascriptExecutor) b).executeScript(script, args);
    }

    /**
     * Asserts that the view fits the window: the page does not scroll sideways, and no element reaches past the
     * window's right edge (which a clipped overflow would hide from the first check).
     */
    static void fitsWithoutHorizontalScrolling(WebDriver b, String view) {
        @SuppressWarnings("unchecked")
        List<Object> m = (List<Object>) js(b, "const e = document.scrollingElement; let right = 0, widest = '';"
                + " for (const el of document.querySelectorAll('vaadin-app-layout *')) {"
                + " const r = el.getBoundingClientRect(); if (r.width > 0 && r.right > right) {"
                + " right = r.right; widest = el.tagName + '#' + el.id + '.' + el.className; } }"
                + " return [e.scrollWidth, e.clientWidth, Math.ceil(right), widest];");
        long scroll = ((Number) m.get(0)).longValue();
        long client = ((Number) m.get(1)).longValue();
        long right = ((Number) m.get(2)).longValue();
        assertTrue(view + ": scrollWidth " + scroll + " > clientWidth " + client, scroll <= client);
        assertTrue(view + ": " + m.get(3) + " reaches " + right + " px, past " + client, right <= client);
    }

    /** Asserts that the page prints no raw instant ({@code 2026-12-07T14:58:03.123456Z}) and no {@code /1.2.3.4}. */
    static void humanTimesAndCleanAddresses(WebDriver b, String view) {
        String text = (String) js(b, "return document.querySelector('vaadin-app-layout').innerText;");
        assertFalse(view + " prints a raw instant: " + text, text.matches("(?s).*\\d{4}-\\d\\d-\\d\\dT\\d\\d:.*"));
        assertFalse(view + " prints an address with a slash: " + text, text.matches("(?s).*(^|\\s)/\\d+\\.\\d+.*"));
    }

    /** The data attributes of a drawn bar ({@code g.bar[data-key=KEY]}) in a box, empty if none. */
    @SuppressWarnings("unchecked")
    static Map<String, String> bar(WebDriver b, String box, String key) {
        return (Map<String, String>) js(b, "const g = Array.from(document.querySelectorAll('#' + arguments[0]"
                + " + ' g.bar')).find(g => g.getAttribute('data-key') === arguments[1]); return g ? Object.assign({},"
                + " g.dataset, {text: g.textContent}) : {};", box, key);
    }

    /** The data attributes of a chart's svg, and its hover titles. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> chart(WebDriver b, String box) {
        return (Map<String, Object>) js(b, "const s = document.querySelector('#' + arguments[0] + ' svg');"
                + " return s ? Object.assign({}, s.dataset, {hover: Array.from(s.querySelectorAll('rect.hover"
                + " title')).map(t => t.textContent), values: Array.from(s.querySelectorAll('rect.hover')).map(r =>"
                + " Number(r.dataset.v)), lines: s.querySelectorAll('path.series').length, text:"
                + " s.textContent}) : {};", box);
    }

    /** The inside port's received packets, exact, from the title of its "Packets rx / tx" cell. */
    static long rxPackets(WebDriver b) {
        return Long.parseLong(titles(b, "dp-ports", "inside").get(6).split(" / ")[0]);
    }

    static double top(Map<String, Object> chart) {
        return Double.parseDouble((String) chart.get("top"));
    }

    /** The title attributes (exact values) of the cells of a table's row. */
    @SuppressWarnings("unchecked")
    static List<String> titles(WebDriver b, String table, String key) {
        return (List<String>) js(b, "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tr')).filter(r"
                + " => r.getAttribute('data-key') === arguments[1]).flatMap(r => Array.from(r.querySelectorAll('td'))"
                + ".map(td => td.getAttribute('title') || td.textContent.trim()));", table, key);
    }

    static String text(WebDriver b, String id) {
        return b.findElement(By.id(id)).getText().strip();
    }

    /**
     * The cells of the row with this key of a console table, read in one script run: the view replaces its tables
     * every second, so elements found one by one may be gone by the next call.
     */
    @SuppressWarnings("unchecked")
    static List<String> row(WebDriver b, String table, String key) {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tr')).filter(r =>"
                        + " r.getAttribute('data-key') === arguments[1]).flatMap(r =>"
                        + " Array.from(r.querySelectorAll('td')).map(td => td.textContent.trim()));",
                table, key);
    }

    static JsonNode json(String command) throws Exception {
        Distribution.Result r = natgw.client("admin", PASSWORD, command);
        assertEquals(r.output(), 0, r.exit());
        return JSON.readTree(r.output().substring(r.output().indexOf('{')));
    }

    @Test
    public void noPageOrDataWithoutLoginAndAWrongPasswordIsRefused() throws Exception {
        WebDriver b = browser();
        b.get(base + "/sessions");
        await().atMost(Duration.ofSeconds(60)).until(() -> b.getCurrentUrl().endsWith("/login"));
        assertTrue(b.findElements(By.id("sessions-grid")).isEmpty());
        logIn(b, "admin", PASSWORD + "x");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Boolean.TRUE.equals(
                ((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                        "return document.querySelector('vaadin-login-form').error")));
        assertTrue(b.getCurrentUrl().endsWith("/login"));
        shot(b, "login-refused");
    }

    @Test
    public void overviewMatchesTheServiceWhileTrafficRunsAndFollowsTheNatBundle() throws Exception {
        WebDriver b = browser();
        b.get(base + "/");
        await().atMost(Duration.ofSeconds(60)).until(() -> b.manage().getCookieNamed("JSESSIONID") != null);
        String before = b.manage().getCookieNamed("JSESSIONID").getValue();
        logInAsAdmin(b);
        assertFalse("the session id changes at login", before.equals(b.manage().getCookieNamed("JSESSIONID")
                .getValue()));
        long sessions = TrafficDriver.UDP_FLOWS + TrafficDriver.TCP_FLOWS;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> text(b, "sessions-alive")
                .equals(String.valueOf(sessions)));
        // the figures of nat:stats and nat:pools at the same moment; the traffic keeps the same flows alive
        JsonNode stats = json("nat:stats --json");
        assertEquals(sessions, stats.get("sessions").asLong());
        JsonNode pool = null;
        for (JsonNode p : json("nat:pools --json").get("pools")) {
            if (p.get("name").asText().equals("default")) {
                pool = p.get("usage");
            }
        }
        assertTrue("default pool", pool != null);
        JsonNode expectedPool = pool;
        String used = String.valueOf(pool.get("portsInUse").asLong() - pool.get("portsHeld").asLong());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> bar(b, "pool-bars", "default")
                .get("used").equals(used)
                && bar(b, "pool-bars", "default").get("held").equals(expectedPool.get(
                        "portsHeld").asText()));
        // the pool's bar: used, in hold-down, free, total and the share "Used", as nat:pools --json counts them
        Map<String, String> poolBar = bar(b, "pool-bars", "default");
        assertEquals(pool.get("portsHeld").asText(), poolBar.get("held"));
        assertEquals(pool.get("portsFree").asText(), poolBar.get("free"));
        assertEquals(pool.get("portsTotal").asText(), poolBar.get("total"));
        assertEquals(String.valueOf(pool.get("portsTotal").asLong() - pool.get("portsInUse").asLong()),
                poolBar.get("free"));
        assertTrue(poolBar.toString(), poolBar.get("text").contains(String.format(java.util.Locale.ROOT,
                "%.1f%% used", pool.get("usedPercent").asDouble())));
        assertEquals("a pool far from full is drawn in the ok colour", "ok", poolBar.get("level"));
        // per outside address and per worker: the sums of nat:ports --json's rows
        Map<String, long[]> perWorker = new java.util.TreeMap<>();
        Map<String, long[]> perAddress = new java.util.TreeMap<>();
        for (JsonNode u : json("nat:ports --json default").get("usage")) {
            for (var sum : List.of(perWorker.computeIfAbsent("worker " + u.get("worker").asInt(), k -> new long[3]),
                    perAddress.computeIfAbsent(u.get("address").asText(), k -> new long[3]))) {
                sum[0] += u.get("portsInUse").asLong() - u.get("portsHeld").asLong();
                sum[1] += u.get("portsHeld").asLong();
                sum[2] += u.get("portsTotal").asLong();
            }
        }
        assertFalse(perWorker.isEmpty());
        for (var side : List.of(Map.entry("worker-bars", perWorker), Map.entry("address-bars", perAddress))) {
            side.getValue().forEach((key, v) -> {
                Map<String, String> drawn = bar(b, side.getKey(), key);
                assertEquals(key + " " + drawn, List.of(String.valueOf(v[0]), String.valueOf(v[1]), String.valueOf(
                        v[2])), List.of(drawn.get("used"), drawn.get("held"), drawn.get("total")));
            });
        }
        assertEquals(String.valueOf(TrafficDriver.TCP_FLOWS), row(b, "protocols", "TCP").get(1));
        assertEquals(String.valueOf(TrafficDriver.UDP_FLOWS), row(b, "protocols", "UDP").get(1));
        // TCP sessions per state: the NAT's exact counts, as nat:stats prints them
        assertEquals(String.valueOf(TrafficDriver.TCP_FLOWS), stats.get("tcpStates").get("INIT_IN").asText());
        stats.get("tcpStates").properties().forEach(e -> assertEquals(e.getKey(), e.getValue().asText(),
                row(b, "tcp-states", e.getKey()).get(1)));
        Map<String, String> drops = new HashMap<>();
        stats.get("drops").properties().forEach(e -> drops.put(e.getKey(), e.getValue().asText()));
        // FRAGMENTS per attach of the driver to the stage (another test stops and starts the driver)
        long fragments = Long.parseLong(drops.get("fragment"));
        assertTrue(drops.toString(), fragments > 0 && fragments % TrafficDriver.FRAGMENTS == 0);
        for (Map.Entry<String, String> d : drops.entrySet()) {
            assertEquals(d.getKey(), d.getValue(), row(b, "drops", d.getKey()).get(1));
        }
        // the per-address bar is the one outside address of the default pool, its pairs as nat:pools counts them
        assertEquals(used, bar(b, "address-bars", "198.19.0.1").get("used"));
        assertEquals(pool.get("portsHeld").asText(), bar(b, "address-bars", "198.19.0.1").get("held"));
        // /metrics says the same, read back with a Prometheus text-format parser
        Map<String, Double> metrics = metrics();
        assertEquals(Double.valueOf(sessions), metrics.get("natgw_nat_sessions_alive{}"));
        assertEquals(Double.valueOf(TrafficDriver.UDP_FLOWS), metrics.get(
                "natgw_nat_sessions{pool=default,protocol=udp}"));
        assertEquals(pool.get("portsInUse").asDouble(), metrics.get("natgw_nat_pool_ports_in_use{pool=default}"),
                0.0);
        assertEquals(pool.get("portsHeld").asDouble(), metrics.get("natgw_nat_pool_ports_held{pool=default}"), 0.0);
        assertEquals(Double.valueOf(TrafficDriver.TCP_FLOWS), metrics.get("natgw_nat_tcp_sessions{state=init_in}"));
        assertEquals(Double.valueOf(drops.get("fragment")), metrics.get("natgw_nat_drops_total{reason=fragment}"));
        assertEquals(Double.valueOf(1), metrics.get("natgw_dataplane_up{}"));
        assertTrue(metrics.get("natgw_nat_packets_total{direction=in2out}") > 0);
        assertEquals(Double.valueOf(text(b, "sessions-alive")), metrics.get("natgw_nat_sessions_alive{}"));
        // a chart per series, each on its own axis: new sessions/s (none after the first second) is not squashed
        // flat beside packets/s; the sessions chart's newest point is the live count the NAT and /metrics give
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> ((Number) chart(b, "chart-packets-in")
                .get("lines")).intValue() == 1 && !chart(b, "chart-packets-out").isEmpty());
        Map<String, Object> sessionsChart = chart(b, "chart-sessions");
        assertEquals(String.valueOf(sessions), sessionsChart.get("last"));
        Map<String, Object> packetsIn = chart(b, "chart-packets-in");
        Map<String, Object> created = chart(b, "chart-new-sessions");
        assertTrue(created + " vs " + packetsIn, top(created) < top(packetsIn));
        // hover values: one per point, its time and value
        @SuppressWarnings("unchecked")
        List<String> hover = (List<String>) packetsIn.get("hover");
        assertTrue(hover.toString(),
                !hover.isEmpty() && hover.getLast().matches("\\d\\d:\\d\\d:\\d\\d UTC: [0-9.]+/s"));
        for (String box : List.of("chart-sessions", "chart-new-sessions", "chart-packets-in", "chart-packets-out",
                "chart-drops")) {
            // each axis is scaled to its own series: its top is the round number at or above the series' highest
            Map<String, Object> c = chart(b, box);
            @SuppressWarnings("unchecked")
            double max = ((List<Number>) c.get("values")).stream().mapToDouble(Number::doubleValue).max().orElse(0);
            assertTrue(box + " " + c, max == 0 ? top(c) == 1 : top(c) >= max && top(c) <= 2.5 * max);
        }
        // drops by reason in the chart's range: bars no higher than the totals nat:stats gives, or "no drops"
        String dropsBox = (String) js(b, "return document.getElementById('drops-chart').textContent;");
        if (dropsBox.startsWith("no drops in the last")) {
            assertTrue(b.findElements(By.cssSelector("#drops-chart g.bar")).isEmpty());
        } else {
            assertTrue(dropsBox, Long.parseLong(bar(b, "drops-chart", "fragment").get("value")) <= fragments);
        }
        // the top inside hosts, counted from the sessions: the driver's UDP hosts have 50 flows each, through 50
        // ports; its TCP host 20; a host links to the Sessions grid filtered on it
        String tcpHost = "198.18.0.100";
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> row(b, "top-sessions", tcpHost).equals(
                List.of(tcpHost, String.valueOf(TrafficDriver.TCP_FLOWS), String.valueOf(TrafficDriver.TCP_FLOWS))));
        assertEquals(List.of("198.18.0.2", "50", "50"), row(b, "top-sessions", "198.18.0.2"));
        assertEquals(List.of("198.18.0.2", "50", "50"), row(b, "top-ports", "198.18.0.2"));
        fitsWithoutHorizontalScrolling(b, "Overview");
        docShot(b, "overview");
        // the 1 h range: the same charts over the hour ring
        js(b, "Array.from(document.querySelectorAll('#rates-range vaadin-radio-button')).find(r =>"
                + " r.textContent.trim() === '1 h' || r.getAttribute('label') === '1 h').click();");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> ((String) chart(b, "chart-sessions")
                .get("text")).contains("-1 h") && text(b, "drops-chart").length() > 0);
        b.findElement(By.cssSelector("#top-sessions tr[data-key='" + tcpHost + "'] a")).click();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> b.getCurrentUrl().contains(
                "/sessions?inside=" + tcpHost)
                && text(b, "sessions-summary").startsWith(TrafficDriver.TCP_FLOWS
                        + " matching"));
        // the grid's State column shows its longest state whole
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Boolean.TRUE.equals(js(b,
                "const c = Array.from(document.querySelectorAll('#sessions-grid vaadin-grid-cell-content')).filter(c"
                        + " => /^[A-Z_]{4,}$/.test(c.textContent) && !['TCP', 'UDP', 'ICMP'].includes(c.textContent));"
                        + " return c.length > 0 && c.every(e => e.scrollWidth <= e.clientWidth);")));
        fitsWithoutHorizontalScrolling(b, "Sessions");
        docShot(b, "sessions");
        b.get(base + "/");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text(b, "sessions-alive").equals(
                String.valueOf(sessions)));
        shot(b, "overview");

        // the NAT bundle stops: the view says so, by push, without a reload; then it comes back by itself
        Distribution.Result stop = natgw.client("admin", PASSWORD, "bundle:stop dev.natgw.nat");
        assertEquals(stop.output(), 0, stop.exit());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> b.findElement(By.id("absent"))
                .isDisplayed() && text(b, "absent").contains("not running"));
        assertFalse(b.findElement(By.id("sessions-alive")).isDisplayed());
        shot(b, "overview-nat-stopped");
        Distribution.Result start = natgw.client("admin", PASSWORD, "bundle:start dev.natgw.nat");
        assertEquals(start.output(), 0, start.exit());
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !b.findElement(By.id("absent"))
                .isDisplayed() && text(b, "sessions-alive").equals(String.valueOf(sessions)));
        shot(b, "overview-nat-back");
    }

    @Test
    public void otherViewsShowTheirServiceOrSayItIsAbsent() throws Exception {
        WebDriver b = browser();
        logInAsAdmin(b);
        b.get(base + "/sessions");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text(b, "sessions-summary")
                .contains("sessions alive"));
        fitsWithoutHorizontalScrolling(b, "Sessions");
        shot(b, "sessions");
        // the distribution's forwarder is there: its view shows the listener live, its address as typed and its
        // start as a time ago
        b.get(base + "/forwarder");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text(b, "fwd-listener")
                .contains("LISTENING"));
        assertTrue(text(b, "fwd-listener"), text(b, "fwd-listener").matches(
                "LISTENING on \\d+\\.\\d+\\.\\d+\\.\\d+:\\d+.*, since (\\d+ (s|min|h|d)( \\d+ (s|min|h))? ago|just now)"));
        assertTrue(b.findElement(By.id("fwd-listener")).getAttribute("title").matches(
                "since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"));
        humanTimesAndCleanAddresses(b, "Forwarder");
        fitsWithoutHorizontalScrolling(b, "Forwarder");
        docShot(b, "forwarder");
        b.get(base + "/registry");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text(b, "registry-backend")
                .contains("embedded") && text(b, "registry-backend").contains("all keys"));
        // every key registry:list shows, with as many rows (five cells each) as it has entries
        JsonNode keys = json("registry:list --json").get("keys");
        long entries = 0;
        for (JsonNode k : keys) {
            entries += k.get("entries").asLong();
            String key = k.get("key").asText();
            int want = 5 * k.get("entries").asInt();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> row(b, "registry-entries", key)
                    .size() == want);
        }
        assertTrue(text(b, "registry-backend"), text(b, "registry-backend").contains("; " + entries + " entries"));
        fitsWithoutHorizontalScrolling(b, "Registry");
        shot(b, "registry");
        b.get(base + "/bundles");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> row(b, "bundles", "dev.natgw.console")
                .contains("ACTIVE"));
        fitsWithoutHorizontalScrolling(b, "Bundles");
        shot(b, "bundles");
    }

    /**
     * Sets a user's line in the realm's users file ({@code etc/users.properties}, which Karaf's properties realm and
     * its backing engine read afresh at each login and look-up), or removes it: the password stored as Karaf's salted
     * hash, made by the distribution's own hasher (lib/passwd/natgw-passwd.jar), as bin/setenv stores admin's. (Not
     * through {@code jaas:user-add} and {@code jaas:update}: their rewrite of the file loses the group of the admin
     * line that bin/setenv wrote.)
     */
    static void realmUser(String user, String password, String roles) throws Exception {
        Path users = natgw.home.resolve("etc/users.properties");
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(users)) {
            if (!line.startsWith(user + " = ")) {
                out.append(line).append('\n');
            }
        }
        if (password != null) {
            out.append(user).append(" = ").append(storedForm(password)).append(',').append(roles).append('\n');
        }
        Path tmp = Files.createTempFile(users.getParent(), "users", ".tmp");
        Files.writeString(tmp, out);
        Files.move(tmp, users, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@return a password as the realm stores it, hashed by the distribution's hasher (the password on its stdin)} */
    static String storedForm(String password) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                natgw.home.resolve("lib/passwd/natgw-passwd.jar").toString(),
                natgw.home.resolve("etc/org.apache.karaf.jaas.cfg").toString()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write((password + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue("natgw-passwd: " + out, p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0);
        return out;
    }

    /** {@return how many times the console has logged that it ended a session of this user} */
    static long sessionsEnded(String user) throws IOException {
        try (var lines = Files.lines(natgw.home.resolve("data/log/karaf.log"))) {
            return lines.filter(l -> l.contains("natgw console: ending a session of " + user + " ")).count();
        }
    }

    /** Waits for the console to end one more session of the user; returns the seconds it took. */
    static long secondsUntilEnded(String user, long endedBefore) {
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500))
                .until(() -> sessionsEnded(user) > endedBefore);
        return (System.nanoTime() - t0) / 1_000_000_000L;
    }

    @Test
    public void aUserWhoLosesTheRoleOrIsRemovedIsLoggedOutWithinTheRecheck() throws Exception {
        String user = "itest-viewer";
        String password = "itest-viewer-pw";
        realmUser(user, password, "viewer");
        WebDriver b = browser();
        logIn(b, user, password);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> b.findElement(By.id("sessions-alive"))
                .isDisplayed() && text(b, "user").equals(user));

        realmUser(user, password, "guest"); // the viewer role taken away
        long demoted = secondsUntilEnded(user, sessionsEnded(user));
        // and without the role the password no longer logs in
        logIn(b, user, password);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Boolean.TRUE.equals(
                ((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                        "return document.querySelector('vaadin-login-form').error")));

        realmUser(user, password, "viewer");
        logIn(b, user, password);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> b.findElement(By.id("sessions-alive"))
                .isDisplayed());
        realmUser(user, null, null); // the user removed
        long removed = secondsUntilEnded(user, sessionsEnded(user));
        System.out.println("natgw console: session ended " + demoted + " s after the role was taken away, "
                + removed + " s after the user was removed (session.recheck 10 s)");
        assertTrue("ended after " + demoted + " s and " + removed + " s", demoted <= 30 && removed <= 30);
        browsers.remove(b);
        b.quit();
    }

    @Test
    public void tenOpenSessionsKeepMemoryAndThreadsBounded() throws Exception {
        long pid = natgw.karafProcess().orElseThrow().pid();
        WebDriver b = browser();
        logInAsAdmin(b);
        Map<String, Long> one = proc(pid);
        String histogramOne = histogram(pid);
        one.put("liveHeapKb", liveKb(histogramOne));
        // nine more sessions in tabs of the same browser, each with its own cookie (the previous ones deleted)
        for (int i = 1; i < 10; i++) {
            b.manage().deleteAllCookies();
            b.switchTo().newWindow(WindowType.TAB);
            logInAsAdmin(b);
        }
        // every open view refreshes and pushes each second: the console stays within its bounds all along
        await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                .until(() -> proc(pid).get("consoleThreads") <= 40);
        Map<String, Long> ten = proc(pid);
        String histogramTen = histogram(pid);
        ten.put("liveHeapKb", liveKb(histogramTen));
        System.out.println("natgw console: 1 session " + one + ", 10 sessions " + ten);
        Files.writeString(Path.of("target", "console-sessions.txt"), "1 session " + one + "\n10 sessions " + ten
                + "\n\nlive objects with 1 session (jcmd GC.class_histogram, top 40)\n" + top(histogramOne, 43)
                + "\nwith 10 sessions\n" + top(histogramTen, 43));
        long extraThreads = ten.get("threads") - one.get("threads");
        assertTrue("threads grew by " + extraThreads + " for 9 more sessions", extraThreads < 40);
        assertTrue("console threads " + ten.get("consoleThreads"), ten.get("consoleThreads") <= 40);
        long extraHeapKb = ten.get("liveHeapKb") - one.get("liveHeapKb");
        assertTrue("live heap grew by " + extraHeapKb + " KiB for 9 more sessions", extraHeapKb < 64 * 1024);
    }

    /**
     * The live objects of the Karaf JVM by class (jcmd GC.class_histogram). It runs a full GC first and counts only
     * what survives it, so its total is the live heap at that instant. (A GC.run followed by GC.heap_info also counts
     * whatever the pushing views allocated while the second jcmd attached, seconds under load.)
     */
    static String histogram(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return run(jcmd.toString(), String.valueOf(pid), "GC.class_histogram");
    }

    /** The histogram's total of live bytes, in KiB. */
    static long liveKb(String histogram) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*Total\\s+\\d+\\s+(\\d+)\\s*$")
                .matcher(histogram);
        assertTrue(top(histogram, 5), m.find());
        return Long.parseLong(m.group(1)) / 1024;
    }

    private static String top(String histogram, int lines) {
        return histogram.lines().limit(lines).collect(java.util.stream.Collectors.joining("\n"));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(String.join(" ", command) + " timed out", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return out;
    }

    @Test
    public void dataplaneViewFollowsTheDataplaneServiceAsItComesAndGoes() throws Exception {
        WebDriver b = browser();
        logInAsAdmin(b);
        b.get(base + "/dataplane");
        // the test driver is the dataplane: its ports count the frames it sends, live (at a glance in the cell,
        // exact in its title)
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> rxPackets(b) > 0 && text(b,
                "dp-stages").equals("nat"));
        long first = rxPackets(b);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rxPackets(b) > first);
        List<String> inside = row(b, "dp-ports", "inside");
        assertTrue(inside.toString(), inside.get(6).matches("(\\d{1,3}|\\d+(\\.\\d+)? [kMG]) / .+"));
        humanTimesAndCleanAddresses(b, "Dataplane");
        fitsWithoutHorizontalScrolling(b, "Dataplane");
        docShot(b, "dataplane");
        Distribution.Result stop = natgw.client("admin", PASSWORD, "bundle:stop dev.natgw.itest.traffic");
        assertEquals(stop.output(), 0, stop.exit());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> b.findElement(By.id("absent"))
                .isDisplayed() && text(b, "absent").contains("Dataplane"));
        Distribution.Result start = natgw.client("admin", PASSWORD, "bundle:start dev.natgw.itest.traffic");
        assertEquals(start.output(), 0, start.exit());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !b.findElement(By.id("absent"))
                .isDisplayed() && text(b, "dp-stages").equals("nat"));
    }

    @Test
    public void stoppingTheConsoleBundleEndsItsThreadsAndStartingItServesAgain() throws Exception {
        long pid = natgw.karafProcess().orElseThrow().pid();
        WebDriver b = browser();
        logInAsAdmin(b);
        assertTrue(proc(pid).get("consoleThreads") > 0);
        Distribution.Result stop = natgw.client("admin", PASSWORD, "bundle:stop dev.natgw.console");
        assertEquals(stop.output(), 0, stop.exit());
        await().atMost(Duration.ofSeconds(30)).until(() -> proc(pid).get("consoleThreads") == 0);
        Distribution.Result start = natgw.client("admin", PASSWORD, "bundle:start dev.natgw.console");
        assertEquals(start.output(), 0, start.exit());
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        // a new console has a new history: nothing dropped since it started (the driver's fragments went before)
        b.manage().deleteAllCookies();
        logInAsAdmin(b);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text(b, "drops-chart").startsWith(
                "no drops in the last"));
        assertTrue(b.findElements(By.cssSelector("#drops-chart g.bar")).isEmpty());
        assertTrue(row(b, "drops", "fragment").toString(), Long.parseLong(row(b, "drops", "fragment").get(1)) > 0);
    }

    /** Resident memory and threads of the Karaf JVM, from /proc. */
    static Map<String, Long> proc(long pid) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                out.put("rssKb", Long.parseLong(line.replaceAll("\\D", "")));
            } else if (line.startsWith("Threads:")) {
                out.put("threads", Long.parseLong(line.replaceAll("\\D", "")));
            }
        }
        long console = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    if (comm.startsWith("natgw-console") || comm.startsWith("Atmosphere")) {
                        console++;
                    }
                } catch (IOException ended) {
                    // the thread ended while listed
                }
            }
        }
        out.put("consoleThreads", console);
        return out;
    }
}
