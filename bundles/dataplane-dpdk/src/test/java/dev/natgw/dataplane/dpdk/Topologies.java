package dev.natgw.dataplane.dpdk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.nat.NatManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the namespace tests share about scripts/topology: finding the script (the test is skipped without it or
 * without root), bringing a named topology up fresh, an engine on the gateway ends of its two veth pairs, running a
 * command in one of its namespaces, and taking it all down again.
 */
final class Topologies {
    private Topologies() {
    }

    /** {@return the topology script; skips the test when it is missing or the test does not run as root} */
    static Path script() throws Exception {
        Path topology = Path.of(System.getProperty("natgw.topology", "../../scripts/topology")).toAbsolutePath();
        assumeTrue(Files.isExecutable(topology), "no " + topology);
        assumeTrue(Sh.run(10, "id", "-u").out().trim().equals("0"), "needs root");
        return topology;
    }

    /** Takes down what a previous run may have left, brings the topology up with the options, starts its servers. */
    static void up(Path topology, String name, boolean serve, String... options) throws Exception {
        Sh.run(60, topology.toString(), "down", name);
        List<String> command = new ArrayList<>(List.of(topology.toString(), "up", name));
        command.addAll(List.of(options));
        Sh.ok(60, command.toArray(String[]::new));
        if (serve) {
            Sh.ok(120, topology.toString(), "serve", name);
        }
    }

    /** {@return a started engine on the topology's gateway ends over net_af_packet, with more settings} */
    static Engine engine(String name, Map<String, Object> settings) throws Exception {
        return engine(name, "net_af_packet", settings);
    }

    /**
     * {@return a started engine on the topology's gateway ends, with more settings (one unpinned worker unless they
     *         set workers.cpus)}
     *
     * @param driver the device string's first word: net_af_packet, net_af_xdp, or auto
     */
    static Engine engine(String name, String driver, Map<String, Object> settings) throws Exception {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("inside.device", driver + ",iface=" + name + "i0");
        all.put("outside.device", driver + ",iface=" + name + "o0");
        all.putIfAbsent("workers.cpus", "none");
        Engine engine = new Engine(TestSettings.of(all));
        engine.start();
        return engine;
    }

    /** Stops the engine and the translator (either may be null) and takes the topology down. */
    static void down(Path topology, String name, Engine engine, NatManager nat) throws Exception {
        if (engine != null) {
            engine.stop();
        }
        if (nat != null) {
            nat.close();
        }
        if (topology != null) {
            Sh.run(60, topology.toString(), "down", name);
        }
    }

    /** {@return the output of a command run in a namespace, which must succeed within the timeout} */
    static String exec(String namespace, long timeoutSeconds, String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return Sh.ok(timeoutSeconds, full.toArray(String[]::new));
    }
}
