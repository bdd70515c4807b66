package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.fastpath.FragmentLimits;
import dev.natgw.nat.fastpath.NatWorker;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.SourceRules;
import dev.natgw.nat.testing.FakeDataplane;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

/**
 * Bytes per fragment state and per held-fragment slot: the size of a one-worker translator's fragment table, as its
 * worker made it at its first burst, with 262,144 states at 64 and at 8 fragments per datagram and with 65,536 held
 * slots, counted from its arrays' lengths (exact; a GC-based measure swings by tens of bytes per entry here, as the
 * large arrays take whole G1 regions). Prints one line.
 */
public final class FragmentMemory {
    private static final int N = 1 << 18;

    private FragmentMemory() {
    }

    public static void main(String[] args) {
        long states64 = bytes(new FragmentLimits(N, 0, 64, 1_000_000_000L));
        long states8 = bytes(new FragmentLimits(N, 0, 8, 1_000_000_000L));
        long held = bytes(new FragmentLimits(0, 1 << 16, 64, 1_000_000_000L));
        long defaults = bytes(FragmentLimits.DEFAULTS);
        System.out.printf("fragment state: %.1f bytes each at 64 fragments per datagram, %.1f at 8 (bucket heads"
                + " included); held-fragment slot: %.1f bytes; a worker with the defaults (1,024 states, 256 held,"
                + " 64 per datagram): %,d bytes%n", states64 / (double) N, states8 / (double) N, held / 65536.0,
                defaults);
    }

    /** The fragment table's bytes of a one-worker translator with these limits. */
    private static long bytes(FragmentLimits limits) {
        NatManager nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1024, 1024, Duration.ZERO, 1024,
                OtherProtocolPolicy.DROP, false, 16, SourceRules.DEFAULTS, 0, NatSettings.DEFAULT_UDP_UNANSWERED,
                limits));
        try {
            nat.addPool(PoolDefinition.of("m", List.of(new Ipv4Range(Ipv4.parse("198.19.1.1"),
                    Ipv4.parse("198.19.1.1")))));
            nat.attach(new FakeDataplane(1));
            NatWorker w = nat.engine().worker(0);
            // the worker makes its fragment table in its first run
            w.process(new PacketBurst(1, MemorySegment.ofArray(new byte[64])), 1);
            return w.fragmentBytes();
        } finally {
            nat.detach();
            nat.close();
        }
    }
}
