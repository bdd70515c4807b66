package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Port forwards and pools made by command survive a restart of the distribution: {@code nat:pool-add} and
 * {@code nat:static-add} through {@code bin/client} write configurations to {@code etc/}, and after {@code bin/stop}
 * and {@code bin/start} {@code nat:pools} and {@code nat:statics} list them again. A second configured mapping of the
 * same global endpoint is refused and listed, not dropped, and applies once the first is removed.
 */
@SuppressWarnings("try") // Distribution.close() waits for Karaf to stop
public class PortForwardRestartIT {
    private static final String PASSWORD = "itest-forwards-pw";
    private static final Map<String, String> ENV = Map.of("NATGW_ADMIN_PASSWORD", PASSWORD);

    @Test
    public void poolsAndStaticMappingsMadeByCommandAreBackAfterStopAndStart() throws Exception {
        try (Distribution natgw = Distribution.unpack("forwards")) {
            start(natgw);
            ok(natgw, "nat:pool-add --ports 2000-2999 --quota 64 lab 198.19.5.0/30");
            ok(natgw, "nat:static-add tcp 198.19.0.1:8080 198.18.0.10:80");
            // Karaf's file installer writes the configurations to etc/ on its own thread
            await().atMost(Duration.ofSeconds(30)).until(() -> configFiles(natgw, "dev.natgw.nat.pool").size() == 2
                    && configFiles(natgw, "dev.natgw.nat.static").size() == 1);
            // an operator's own file for the same global endpoint: refused while the command's mapping holds it
            Files.write(natgw.home.resolve("etc/dev.natgw.nat.static-clash.cfg"),
                    List.of("protocol = TCP", "global = 198.19.0.1:8080", "inside = 198.18.0.11:80"));

            Distribution.Result stop = natgw.exec(Map.of(), Duration.ofSeconds(60), "bin/stop");
            assertEquals(stop.output(), 0, stop.exit());
            await().atMost(Duration.ofSeconds(60)).until(() -> natgw.karafProcess().isEmpty());
            start(natgw);

            String pools = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> client(natgw, "nat:pools --no-format"), out -> out.contains("lab"));
            assertTrue(pools, pools.matches("(?s).*\\blab\\s+198\\.19\\.5\\.0-198\\.19\\.5\\.3\\s+2000-2999\\b.*"));
            assertTrue(pools, pools.contains("default"));
            String statics = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> client(natgw, "nat:statics --no-format"), out -> out.contains("refused"));
            // which of the two configurations came first after the start decides which is in force; one is
            assertEquals(statics, 1, count(statics, "in force"));
            assertEquals(statics, 1, count(statics, "refused: static mapping TCP 198.19.0.1:8080"));
            assertTrue(statics, statics.contains("198.18.0.10:80") && statics.contains("198.18.0.11:80"));

            // removing the mapping in force deletes its configuration, and the refused one applies
            ok(natgw, "nat:static-remove tcp 198.19.0.1:8080");
            String after = client(natgw, "nat:statics --no-format");
            assertEquals(after, 1, count(after, "in force"));
            assertFalse(after, after.contains("refused"));
            ok(natgw, "nat:pool-remove lab");
            await().atMost(Duration.ofSeconds(30)).until(() -> configFiles(natgw, "dev.natgw.nat.pool").size() == 1
                    && configFiles(natgw, "dev.natgw.nat.static").size() == 1);
        }
    }

    private static void start(Distribution natgw) throws Exception {
        Distribution.Result start = natgw.exec(ENV, Duration.ofSeconds(60), "bin/start");
        assertEquals(start.output(), 0, start.exit());
        AtomicReference<Distribution.Result> pools = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            pools.set(natgw.client("admin", PASSWORD, "nat:pools --no-format"));
            return pools.get().exit() == 0 && pools.get().output().contains("default");
        });
    }

    private static String client(Distribution natgw, String command) throws Exception {
        return natgw.client("admin", PASSWORD, command).output();
    }

    private static void ok(Distribution natgw, String command) throws Exception {
        Distribution.Result r = natgw.client("admin", PASSWORD, command);
        assertEquals(command + ":\n" + r.output(), 0, r.exit());
    }

    private static List<Path> configFiles(Distribution natgw, String factoryPid) throws Exception {
        try (Stream<Path> files = Files.list(natgw.home.resolve("etc"))) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return (name.startsWith(factoryPid + "-") || name.startsWith(factoryPid + "~")) && name.endsWith(
                        ".cfg");
            }).toList();
        }
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
