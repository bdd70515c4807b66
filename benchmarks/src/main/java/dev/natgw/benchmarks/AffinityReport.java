package dev.natgw.benchmarks;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.Frames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * RSS affinity per mapping mode: on a four-worker {@link FakeDataplane}, inside endpoints each open UDP flows
 * to several remotes; then every remote sends one packet back to the outside endpoint it saw, and the report
 * counts how many landed on the worker owning the session (delivered without handoff) and how many had to
 * be handed off. With endpoint-independent mapping an endpoint keeps its first outside port for every later
 * remote, whose return hash is then anyone's; with address-and-port-dependent mapping each flow gets its own
 * RSS-affine port. Not a JMH benchmark: it counts, it does not time.
 */
public final class AffinityReport {
    static final int WORKERS = 4;
    static final int HOSTS = 1024;
    static final int PORTS_PER_HOST = 4;
    static final int REMOTES_PER_ENDPOINT = 4;
    static final int GLOBAL = Ipv4.parse("198.19.1.1");

    private AffinityReport() {
    }

    /**
     * Prints the share per mode.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        int flows = HOSTS * PORTS_PER_HOST * REMOTES_PER_ENDPOINT;
        System.out.printf("RSS affinity: %d workers, %d inside hosts x %d ports, each to %d remotes: %,d UDP"
                + " flows per mode, one return packet each%n", WORKERS, HOSTS, PORTS_PER_HOST,
                REMOTES_PER_ENDPOINT, flows);
        System.out.printf(
                "  (expected for endpoint-independent mapping: the first remote of an endpoint always lands, each"
                        + " later one with probability 1/%d: %.1f%%)%n",
                WORKERS,
                100.0 * (1 + (REMOTES_PER_ENDPOINT - 1) / (double) WORKERS) / REMOTES_PER_ENDPOINT);
        run(MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT);
        run(MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT);
    }

    private static void run(MappingBehavior mapping, FilteringBehavior filtering) {
        NatManager nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 18, 1 << 14, Duration.ZERO,
                1 << 16, OtherProtocolPolicy.DROP, false, 1 << 16));
        FakeDataplane dp = new FakeDataplane(WORKERS);
        try {
            nat.setClock(dp.clock());
            nat.addPool(new PoolDefinition("affinity", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 1025, 65535,
                    mapping, filtering, true, 0, false, SubscriberLimits.NONE));
            dp.attach(nat);
            int inBase = Ipv4.parse("198.18.0.0");
            int remBase = Ipv4.parse("198.19.128.0");
            int k = 0;
            for (int h = 0; h < HOSTS; h++) {
                for (int p = 0; p < PORTS_PER_HOST; p++) {
                    for (int r = 0; r < REMOTES_PER_ENDPOINT; r++, k++) {
                        int remote = remBase + (k * 7919 & 0xfff);
                        dp.receive(Frames.udp(inBase + h, 20000 + p, remote, 3478 + r).build(), true);
                    }
                }
                dp.run();
            }
            List<byte[]> out = new ArrayList<>();
            for (FakeDataplane.Out o : dp.toOutside) {
                out.add(o.frame());
            }
            int outboundDropped = dp.dropped.size();
            dp.clearOutputs();
            for (byte[] f : out) {
                ByteBuffer b = ByteBuffer.wrap(f);
                // the translated frame: 14-byte Ethernet, 20-byte IPv4, then UDP
                int outAddr = b.getInt(26);
                int remote = b.getInt(30);
                int outPort = b.getShort(34) & 0xffff;
                int remotePort = b.getShort(36) & 0xffff;
                dp.receive(Frames.udp(remote, remotePort, outAddr, outPort).build(), false);
            }
            dp.run();
            int returned = out.size();
            int handedOff = dp.handedOff.size();
            int delivered = dp.toInside.size();
            System.out.printf("  %-26s mapping: %,6d flows out (%d dropped), %,6d returns delivered, %,6d handed off:"
                    + " %.1f%% landed on the owning worker without handoff%n", mapping, returned, outboundDropped,
                    delivered, handedOff, 100.0 * (returned - handedOff) / returned);
            if (delivered != returned) {
                System.out.printf("  warning: %d returns were not delivered (dropped %d)%n", returned - delivered,
                        dp.dropped.size());
            }
        } finally {
            dp.close();
            nat.close();
        }
    }
}
