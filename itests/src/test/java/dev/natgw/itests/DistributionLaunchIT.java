package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The distribution as a user gets it: unpacked from the tar.gz and started with its own scripts on JDK 25. The first
 * start makes the admin password (no well-known one), {@code bin/client} reaches the ssh shell, the local console
 * answers, the console and /metrics answer where {@code ./natgw} says they do, and nothing listens beyond loopback.
 */
@SuppressWarnings("try") // Distribution.close() waits for Karaf to stop
public class DistributionLaunchIT {

    private static final Pattern GENERATED = Pattern.compile("generated password of user \"admin\".*\\R\\s+(\\S+)");

    @Test
    public void firstStartMakesAPasswordAndTheSshShellAnswersOnLoopbackOnly() throws Exception {
        try (Distribution natgw = Distribution.unpack("launch")) {
            // a port of its own, in the file an operator edits: ./natgw urls must read it from there
            String consolePort = NatgwContainer.freePort();
            natgw.configure("dev.natgw.console", Map.of("port", consolePort));
            long t0 = System.nanoTime();
            Distribution.Result start = natgw.exec(Map.of(), Duration.ofSeconds(60), "bin/start");
            assertEquals(start.output(), 0, start.exit());

            Matcher m = GENERATED.matcher(start.output());
            assertTrue("bin/start shows the generated password once:\n" + start.output(), m.find());
            String password = m.group(1);
            String users = Files.readString(natgw.home.resolve("etc/users.properties"));
            assertTrue(users, users.contains("admin = {CRYPT}"));
            assertFalse("the password is not stored in clear", users.contains(password));
            assertFalse("no karaf/karaf user", users.matches("(?s).*(?m)^\\s*karaf\\s*=.*"));

            AtomicReference<Distribution.Result> whoami = new AtomicReference<>();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                whoami.set(natgw.client("admin", password, "jaas:whoami"));
                return whoami.get().exit() == 0;
            });
            long toShellMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("natgw launch: bin/start to an answering ssh shell in " + toShellMillis + " ms");
            assertTrue(whoami.get().output(), whoami.get().output().contains("admin"));

            // natgw:status registers asynchronously once the core bundle is up
            AtomicReference<Distribution.Result> status = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                status.set(natgw.client("admin", password, "natgw:status --no-format"));
                return status.get().exit() == 0 && status.get().output().contains("dev.natgw.core");
            });
            String out = status.get().output();
            assertTrue(out, out.matches("(?s).*dev\\.natgw\\.api\\s+\\S+\\s+ACTIVE.*"));
            assertTrue(out, out.matches("(?s).*dev\\.natgw\\.core\\s+\\S+\\s+ACTIVE.*"));
            assertTrue(out, out.contains("native access enabled"));
            assertTrue(out, out.contains("JDK    25"));

            Distribution.Result json = natgw.client("admin", password, "natgw:status --json");
            assertTrue(json.output(), json.output().contains("\"symbolicName\" : \"dev.natgw.api\""));

            Distribution.Result wellKnown = natgw.client("karaf", "karaf", "jaas:whoami");
            assertNotEquals("karaf/karaf must not log in:\n" + wellKnown.output(), 0, wellKnown.exit());
            Distribution.Result wrong = natgw.client("admin", password + "x", "jaas:whoami");
            assertNotEquals("a wrong password must not log in", 0, wrong.exit());

            printedUrlsAnswer(natgw, consolePort);

            long pid = natgw.karafProcess().orElseThrow().pid();
            Set<String> listeners = Distribution.tcpListeners(pid);
            System.out.println("natgw launch: listening on " + listeners);
            assertTrue(listeners.toString(), listeners.contains("127.0.0.1:" + natgw.sshPort));
            for (String l : listeners) {
                assertTrue("listens beyond loopback: " + l, l.startsWith("127.0.0.1:") || l.startsWith("[::1]:"));
            }
        }
    }

    private static final Pattern CONSOLE_URL = Pattern.compile("natgw: web console: (\\S+)");
    private static final Pattern METRICS_URL = Pattern.compile("natgw: metrics: (\\S+)");

    /**
     * What {@code ./natgw run} and {@code ./natgw start} print about the console ({@code ./natgw urls}, the same
     * function) names the port this copy was given, its login page answers there, and so does /metrics, with the
     * figures of the running natgw (the NAT's event export among them, through its OSGi service).
     */
    private static void printedUrlsAnswer(Distribution natgw, String consolePort) throws Exception {
        Distribution.Result urls = natgw.exec(Map.of(), Duration.ofSeconds(30), "bash",
                System.getProperty("natgw.script"), "urls", natgw.home.toString());
        assertEquals(urls.output(), 0, urls.exit());
        System.out.println("natgw launch: ./natgw urls printed\n" + urls.output());
        Matcher console = CONSOLE_URL.matcher(urls.output());
        Matcher metrics = METRICS_URL.matcher(urls.output());
        assertTrue(urls.output(), console.find() && metrics.find());
        assertEquals("http://127.0.0.1:" + consolePort + "/", console.group(1));
        assertEquals(console.group(1) + "metrics", metrics.group(1));
        assertTrue(urls.output(), urls.output().contains("log in as admin with the password set at its first start"));
        assertTrue(urls.output(), urls.output().contains("no login on loopback"));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        AtomicReference<HttpResponse<String>> page = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            page.set(http.send(HttpRequest.newBuilder(URI.create(console.group(1) + "login"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
            return page.get().statusCode() == 200;
        });
        assertTrue(page.get().body(), page.get().body().contains("<html"));
        HttpResponse<String> root = http.send(HttpRequest.newBuilder(URI.create(console.group(1)))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(root.body(), 200, root.statusCode());

        AtomicReference<HttpResponse<String>> scrape = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            scrape.set(http.send(HttpRequest.newBuilder(URI.create(metrics.group(1))).timeout(Duration.ofSeconds(20))
                    .build(), HttpResponse.BodyHandlers.ofString()));
            return scrape.get().statusCode() == 200 && scrape.get().body().contains("natgw_nat_export_up 1.0");
        });
        String body = scrape.get().body();
        assertTrue(body, scrape.get().headers().firstValue("Content-Type").orElse("").startsWith(
                "text/plain; version=0.0.4"));
        assertTrue(body, body.contains("# TYPE natgw_nat_up gauge"));
        assertTrue(body, body.contains("natgw_nat_export_enabled 0.0"));
    }

    @Test
    public void localConsoleAnswersNatgwStatus() throws Exception {
        try (Distribution natgw = Distribution.unpack("console")) {
            // script(1) gives bin/karaf the terminal its local console wants
            Distribution.Running console = natgw.start(Map.of("NATGW_ADMIN_PASSWORD", "itest-console-pw"), "script",
                    "-qfec", "bin/karaf", "/dev/null");
            console.awaitOutput("user \"admin\" created with the given password", Duration.ofSeconds(30));
            console.awaitOutput("()>", Duration.ofMinutes(3));
            // the local console may be up before the core bundle has registered its command
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                console.type("natgw:status --no-format");
                return console.output().contains("StatusService");
            });
            console.awaitOutput("dev.natgw.core", Duration.ofSeconds(10));
            console.type("jaas:whoami");
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> console.output().replaceAll("\\e\\[[0-9;?]*[A-Za-z]", "")
                            .matches("(?s).*Name\\s+[-\u2500]+\\s+admin.*"));
            // Karaf starts its JMX connector on a thread of its own; stopping before it is up prints an exception
            natgw.awaitJmx(Duration.ofSeconds(60));
            console.type("shutdown -f");
            assertTrue("bin/karaf ends after shutdown -f:\n" + console.output(),
                    console.process.waitFor(60, TimeUnit.SECONDS));
            assertFalse(console.output(), console.output().contains("getSubject is not supported"));
            assertFalse(console.output(), console.output().contains("Exception"));
        }
    }
}
