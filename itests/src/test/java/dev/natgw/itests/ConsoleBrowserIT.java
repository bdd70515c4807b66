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
                "--window-size=1400,1800");
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
        logIn(b, "admin", PASSWORD);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> b.findElement(By.id("sessions-alive"))
                .isDisplayed());
    }

    static void shot(WebDriver b, String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));
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
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> row(b, "pools", "default").get(2)
                .equals(used) && row(b, "pools", "default").get(3).equals(expectedPool.get("portsHeld").asText()));
        // used, in hold, free, total: as nat:pools --json counts them
        List<String> poolRow = row(b, "pools", "default");
        assertEquals(pool.get("portsHeld").asText(), poolRow.get(3));
        assertEquals(pool.get("portsFree").asText(), poolRow.get(4));
        assertEquals(pool.get("portsTotal").asText(), poolRow.get(5));
        assertEquals(String.valueOf(pool.get("portsTotal").asLong() - pool.get("portsInUse").asLong()),
                poolRow.get(4));
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
        // the per-address table is the one outside address of the default pool, its pairs as nat:pools counts them
        assertEquals(used, row(b, "addresses", "198.19.0.1").get(2));
        assertEquals(pool.get("portsHeld").asText(), row(b, "addresses", "198.19.0.1").get(3));
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
        // the chart has drawn packets/s
        await().atMost(Duration.ofSeconds(15)).until(() -> !b.findElements(By.cssSelector(
                "#rates-chart path[data-name='packets/s']")).isEmpty());
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
        shot(b, "sessions");
        // the distribution's forwarder is there: its view shows the listener live
        b.get(base + "/forwarder");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text(b, "fwd-listener")
                .contains("LISTENING"));
        shot(b, "forwarder");
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
        shot(b, "registry");
        b.get(base + "/bundles");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> row(b, "bundles", "dev.natgw.console")
                .contains("ACTIVE"));
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
        // the test driver is the dataplane: its ports count the frames it sends, live
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Long.parseLong(row(b, "dp-ports",
                "inside").get(6)) > 0 && text(b, "dp-stages").equals("nat"));
        long first = Long.parseLong(row(b, "dp-ports", "inside").get(6));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Long.parseLong(row(b, "dp-ports",
                "inside").get(6)) > first);
        shot(b, "dataplane");
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
