package dev.natgw.dataplane.dpdk;

import dev.natgw.dataplane.internal.DataplaneConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dataplane's configuration, checked: every bad value is refused with a message that names its
 * property.
 *
 * @param insideDevice the inside port's device
 * @param insideAddress the inside port's address
 * @param insidePrefix its prefix length
 * @param insideGateway next hop for inside destinations off the connected network, 0 for none
 * @param insideGatewayMac the inside gateway's pinned MAC, 0 to learn it by ARP
 * @param insideMtu the inside MTU
 * @param outsideDevice the outside port's device
 * @param outsideAddress the outside port's address
 * @param outsidePrefix its prefix length
 * @param outsideGateway the default route's next hop, 0 for none
 * @param outsideGatewayMac the outside gateway's pinned MAC, 0 to learn it by ARP
 * @param outsideMtu the outside MTU
 * @param cpus the CPU of each worker, -1 for not pinned
 * @param mbufs mbufs per port pool
 * @param ealMemoryMb EAL memory in MiB
 * @param ealExtra extra EAL arguments
 * @param pci whether EAL may use PCI devices
 * @param neighbours neighbour entries per port
 * @param neighbourTimeoutSeconds seconds a neighbour entry lives without an ARP packet confirming it
 * @param idleSleepMicros how long an idle worker sleeps between polls, 0 to poll without pause
 * @param stageHandoverMillis how long a withdrawn stage keeps running while it waits for a successor of
 *     the same name, 0 to remove it at once
 */
public record DataplaneSettings(String insideDevice, int insideAddress, int insidePrefix, int insideGateway,
        long insideGatewayMac, int insideMtu, String outsideDevice, int outsideAddress, int outsidePrefix,
        int outsideGateway, long outsideGatewayMac, int outsideMtu,
        int[] cpus, int mbufs, int ealMemoryMb, List<String> ealExtra, boolean pci, int neighbours,
        int neighbourTimeoutSeconds, int idleSleepMicros, int stageHandoverMillis) {

    /**
     * Checks a configuration. Its defaults are {@link DataplaneConfig}'s, the only place they are written.
     *
     * @param c the configuration
     * @return the settings
     * @throws IllegalArgumentException naming the first bad property
     */
    public static DataplaneSettings of(DataplaneConfig c) {
        String inDev = text("inside.device", c.inside_device());
        String outDev = text("outside.device", c.outside_device());
        int[] in = cidr("inside.address", c.inside_address());
        int[] out = cidr("outside.address", c.outside_address());
        int inGw = address("inside.gateway", c.inside_gateway());
        int outGw = address("outside.gateway", c.outside_gateway());
        if (inGw != 0 && !sameNet(in, inGw)) {
            throw new IllegalArgumentException("inside.gateway must be on the inside network, was "
                    + c.inside_gateway());
        }
        if (outGw != 0 && !sameNet(out, outGw)) {
            throw new IllegalArgumentException("outside.gateway must be on the outside network, was "
                    + c.outside_gateway());
        }
        long inGwMac = mac("inside.gateway.mac", c.inside_gateway_mac(), inGw, "inside.gateway");
        long outGwMac = mac("outside.gateway.mac", c.outside_gateway_mac(), outGw, "outside.gateway");
        if (inDev.equals(outDev)) {
            throw new IllegalArgumentException("outside.device must differ from inside.device, both were " + inDev);
        }
        return new DataplaneSettings(inDev, in[0], in[1], inGw, inGwMac, range("inside.mtu", c.inside_mtu(), 576, 9000),
                outDev, out[0], out[1], outGw, outGwMac, range("outside.mtu", c.outside_mtu(), 576, 9000),
                cpus(c.workers_cpus()), range("mbufs", c.mbufs(), 1023, 1 << 20),
                range("eal.memory.mb", c.eal_memory_mb(), 64, 1 << 20), words(c.eal_args()), c.eal_pci(),
                range("neighbours.max", c.neighbours_max(), 16, 1 << 20),
                range("neighbours.timeout.seconds", c.neighbours_timeout_seconds(), 1, 86400),
                range("idle.sleep.micros", c.idle_sleep_micros(), 0, 100_000),
                range("stage.handover.millis", c.stage_handover_millis(), 0, 600_000));
    }

    /** {@return the EAL arguments} */
    public List<String> ealArgs() {
        // anonymous memory rather than huge pages, so nothing is set up on the host; eal.args may say otherwise
        List<String> a = new ArrayList<>(List.of("-l", "0", "--no-shconf", "--no-telemetry", "--no-huge", "-m",
                String.valueOf(ealMemoryMb), "--log-level=lib.eal:warning"));
        if (!pci) {
            a.add("--no-pci");
        }
        a.addAll(ealExtra);
        return a;
    }

    private static boolean sameNet(int[] cidr, int ip) {
        int mask = Interfaces.mask(cidr[1]);
        return (cidr[0] & mask) == (ip & mask);
    }

    /**
     * A unicast MAC written as six hexadecimal octets separated by colons or dashes, 0 when empty; it pins the
     * gateway named by gatewayKey, so that must be set.
     */
    static long mac(String key, String v, int gateway, String gatewayKey) {
        String s = v == null ? "" : v.trim();
        if (s.isEmpty()) {
            return 0;
        }
        String[] octets = s.split("[:-]", -1);
        long mac = 0;
        if (octets.length != 6) {
            throw new IllegalArgumentException(key + " must be six octets such as 02:00:00:00:01:02, was " + v);
        }
        for (String o : octets) {
            if (!o.matches("[0-9A-Fa-f]{1,2}")) {
                throw new IllegalArgumentException(key + " must be six hexadecimal octets such as 02:00:00:00:01:02,"
                        + " was " + v);
            }
            mac = mac << 8 | Integer.parseInt(o, 16);
        }
        if (mac == 0 || (mac >>> 40 & 1) != 0) {
            throw new IllegalArgumentException(key + " must be a unicast address, was " + v);
        }
        if (gateway == 0) {
            throw new IllegalArgumentException(key + " pins the gateway's MAC, but " + gatewayKey + " is empty");
        }
        return mac;
    }

    private static String text(String key, String v) {
        String s = v == null ? "" : v.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
        return s;
    }

    private static int range(String key, int n, int min, int max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", was " + n);
        }
        return n;
    }

    private static List<String> words(String v) {
        if (v == null || v.isBlank()) {
            return List.of();
        }
        return List.of(v.trim().split("\\s+"));
    }

    static int parseIp(String key, String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(key + " must be a dotted IPv4 address, was \"" + s + "\"");
        }
        int ip = 0;
        for (String part : parts) {
            int b;
            try {
                b = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                b = -1;
            }
            if (b < 0 || b > 255 || part.length() > 3) {
                throw new IllegalArgumentException(key + " must be a dotted IPv4 address, was \"" + s + "\"");
            }
            ip = ip << 8 | b;
        }
        return ip;
    }

    private static int address(String key, String v) {
        String s = v == null ? "" : v.trim();
        return s.isEmpty() ? 0 : parseIp(key, s);
    }

    private static int[] cidr(String key, String v) {
        String s = v == null ? "" : v.trim();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(
                    key + " must be ADDRESS/PREFIX such as 198.18.0.1/24, was \"" + s + "\"");
        }
        int ip = parseIp(key, s.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException(key + " prefix must be 8..30, was \"" + s + "\"");
        }
        return new int[]{ip, prefix};
    }

    private static int[] cpus(String v) {
        String s = v == null ? "" : v.trim();
        int available = Runtime.getRuntime().availableProcessors();
        if (s.equals("auto")) {
            return new int[]{available - 1};
        }
        if (s.equals("none")) {
            return new int[]{-1};
        }
        String[] parts = s.split("[,\\s]+");
        int[] cpus = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                cpus[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "workers.cpus must be auto, none or a list of CPU numbers such as 1,2; was \"" + s + "\"");
            }
            if (cpus[i] < 0 || cpus[i] >= available) {
                throw new IllegalArgumentException(
                        "workers.cpus: CPU " + cpus[i] + " does not exist; this machine has CPUs 0.."
                                + (available - 1));
            }
        }
        if (Arrays.stream(cpus).distinct().count() != cpus.length) {
            throw new IllegalArgumentException("workers.cpus lists a CPU twice: \"" + s + "\"");
        }
        if (cpus.length > 64) {
            throw new IllegalArgumentException("workers.cpus: at most 64 workers, was " + cpus.length);
        }
        return cpus;
    }
}
