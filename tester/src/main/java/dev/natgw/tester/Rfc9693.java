package dev.natgw.tester;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.dataplane.dpdk.Eal;
import dev.natgw.dataplane.dpdk.Port;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The RFC 9693 tester's command line: opens its two DPDK ports, optionally starts natgw in the same JVM as the
 * gateway under test, runs the procedures asked for and prints {@code trial} and {@code measure} lines.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp natgw-tester.jar dev.natgw.tester.Rfc9693 \
 *   --inside net_af_packet,iface=rti1 --outside net_af_packet,iface=rto1 \
 *   --gw-inside-mac 02:..:01 --gw-outside-mac 02:..:02 [--pool 198.19.0.1/32] [--flows 10000] [--frames 64,1518]
 *   [--measures throughput,establishment,capacity,teardown] [--flush "ip netns exec rt-gw conntrack -F"]
 *   [--dut-natgw INSIDE_DEVICE,OUTSIDE_DEVICE] ...
 * </pre>
 *
 * Run {@code --help} for every option and its default.
 */
public final class Rfc9693 {
    static final Map<String, String> DEFAULTS = new java.util.LinkedHashMap<>();

    static {
        DEFAULTS.put("inside", "");
        DEFAULTS.put("outside", "");
        DEFAULTS.put("gw-inside-mac", "");
        DEFAULTS.put("gw-outside-mac", "");
        DEFAULTS.put("inside-host", "198.18.0.2");
        DEFAULTS.put("responder", "198.19.0.2");
        DEFAULTS.put("dst-base", "198.19.128.0");
        DEFAULTS.put("pool", "198.19.0.1/32");
        DEFAULTS.put("flows", "10000");
        DEFAULTS.put("frames", "64,1518");
        DEFAULTS.put("measures", "throughput,establishment,capacity,teardown");
        DEFAULTS.put("seconds", "2");
        DEFAULTS.put("safe-rate", "20000");
        DEFAULTS.put("max-rate", "1000000");
        DEFAULTS.put("resolution", "0.02");
        DEFAULTS.put("steps", "8");
        DEFAULTS.put("capacity-start", "4096");
        DEFAULTS.put("capacity-max", "1048576");
        DEFAULTS.put("drain-ms", "2000");
        DEFAULTS.put("flush", "");
        DEFAULTS.put("name", "dut");
        DEFAULTS.put("dut-natgw", "");
        DEFAULTS.put("dut-sessions", "1048576");
        DEFAULTS.put("mbufs", "16383");
        DEFAULTS.put("eal-memory-mb", "768");
    }

    private Rfc9693() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("rfc9693: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        if (o == null) {
            usage(System.out);
            return;
        }
        System.exit(run(o, System.out));
    }

    static void usage(PrintStream out) {
        out.println(
                "usage: Rfc9693 --inside DEVICE --outside DEVICE --gw-inside-mac MAC --gw-outside-mac MAC [options]");
        out.println("options (default):");
        DEFAULTS.forEach((k, v) -> out.println("  --" + k + " (" + v + ")"));
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new HashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                return null;
            }
            if (!args[i].startsWith("--") || !DEFAULTS.containsKey(args[i].substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        for (String k : List.of("inside", "outside")) {
            if (o.get(k).isEmpty()) {
                throw new IllegalArgumentException("--" + k + " is required");
            }
        }
        return o;
    }

    /** {@return 0, after running the procedures the options ask for on the ports they name} */
    static int run(Map<String, String> o, PrintStream out) {
        System.err.println("EAL: " + Eal.ensure(List.of("-l", "0", "--no-shconf", "--no-telemetry", "--no-huge",
                "--no-pci", "-m", o.get("eal-memory-mb"), "--log-level=lib.eal:warning")));
        Ipv4Range pool = Ipv4Range.parse(o.get("pool"));
        int mbufs = Integer.parseInt(o.get("mbufs"));
        RssConfig rss = RssConfig.symmetricDefault(1);
        Port inside = null;
        Port outside = null;
        Dut dut = null;
        try {
            // the tester's ports first: a memif gateway connects to the sockets they listen on
            inside = Port.open("tester-inside", PortRole.INSIDE, o.get("inside"), 1, 1500, mbufs, rss);
            outside = Port.open("tester-outside", PortRole.OUTSIDE, o.get("outside"), 1, 1500, mbufs, rss);
            dut = dut(o, pool);
            long gwIn = mac(o.get("gw-inside-mac"));
            long gwOut = mac(o.get("gw-outside-mac"));
            try (Tester tester = new Tester(new Tester.Side(inside.id(), inside.pool(), inside.mac()),
                    new Tester.Side(outside.id(), outside.pool(), outside.mac()), gwIn, gwOut,
                    ip(o.get("inside-host")), ip(o.get("responder")), pool.first(), pool.last(),
                    Long.parseLong(o.get("drain-ms")) * 1_000_000L)) {
                Procedures p = new Procedures(tester, dut,
                        new Procedures.Settings(ip(o.get("inside-host")), ip(o.get("dst-base")),
                                Long.parseLong(o.get("safe-rate")), Long.parseLong(o.get("max-rate")),
                                Double.parseDouble(o.get("seconds")), Double.parseDouble(o.get("resolution")),
                                Integer.parseInt(o.get("steps"))),
                        out);
                int flows = Integer.parseInt(o.get("flows"));
                out.printf(Locale.ROOT, "tester %s: inside %s (%s), outside %s (%s), %d flows%n", dut.name(),
                        o.get("inside"), inside.macText(), o.get("outside"), outside.macText(), flows);
                List<String> measures = Arrays.asList(o.get("measures").split(","));
                if (measures.contains("throughput")) {
                    for (String size : o.get("frames").split(",")) {
                        p.throughput(flows, Integer.parseInt(size.trim()) - 4);
                    }
                }
                if (measures.contains("establishment")) {
                    p.establishmentRate(flows);
                }
                if (measures.contains("capacity")) {
                    p.capacity(Integer.parseInt(o.get("capacity-start")), Integer.parseInt(o.get("capacity-max")));
                }
                if (measures.contains("teardown")) {
                    p.teardownRate(flows);
                }
            }
            return 0;
        } finally {
            if (dut != null) {
                dut.close();
            }
            if (inside != null) {
                inside.close();
            }
            if (outside != null) {
                outside.close();
            }
        }
    }

    /** {@return the gateway under test the options name: natgw started here, or one reached by a flush command} */
    static Dut dut(Map<String, String> o, Ipv4Range pool) {
        if (!o.get("dut-natgw").isEmpty()) {
            String[] d = o.get("dut-natgw").split(";", 2);
            if (d.length != 2) {
                throw new IllegalArgumentException("--dut-natgw INSIDE_DEVICE;OUTSIDE_DEVICE");
            }
            return new NatgwDut(d[0], d[1], pool, Integer.parseInt(o.get("dut-sessions")), "none");
        } else {
            String flush = o.get("flush").trim();
            return Dut.command(o.get("name"), flush.isEmpty() ? List.of() : Arrays.asList(flush.split("\\s+")));
        }
    }

    /** {@return a MAC written as six hexadecimal octets, as 48 bits} */
    static long mac(String text) {
        String[] octets = text.trim().split("[:-]");
        if (octets.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        long mac = 0;
        for (String b : octets) {
            mac = (mac << 8) | Integer.parseInt(b, 16);
        }
        return mac;
    }

    static int ip(String text) {
        return Ipv4Range.parse(text.trim()).first();
    }

}
