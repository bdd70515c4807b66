package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stages tell the dataplane which addresses they own through their context (the NAT its pools'): the
 * outside port answers ARP for them while the stage is attached, follows a claim that changes, and stops
 * answering once the stage is withdrawn. Checked on the real dataplane with ring ports, by the gateway's
 * own counters of ARP replies and ignored ARP packets.
 */
class AddressClaimTest {
    static final int ROUTER = Frames.ip("198.19.0.2");
    static final long ROUTER_MAC = 0x02_00_00_00_01_02L;
    static final int CLAIMED = Frames.ip("198.19.0.77");
    static final int LATER = Frames.ip("198.19.0.78");

    private final RingPorts rings = new RingPorts();
    private Engine engine;

    /** Claims what {@link #owned} holds when the dataplane reads it. */
    static final class ClaimingStage implements PacketStage {
        volatile int[] owned;
        volatile StageContext context;

        ClaimingStage(int... owned) {
            this.owned = owned;
        }

        @Override
        public void attach(StageContext ctx) {
            context = ctx;
            ctx.claimAddresses(() -> owned);
        }

        @Override
        public void process(PacketBurst burst) {
        }
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.stop();
        }
        rings.close();
    }

    private void start() {
        engine = new Engine(TestSettings.of(Map.of("inside.device", "ring:aci", "outside.device", "ring:aco",
                "outside.gateway", "", "workers.cpus", "none", "mbufs", 2047, "stage.handover.millis", 0)));
        engine.start();
    }

    /** Asks the outside port who has an address; returns whether it answered. */
    private boolean answers(int address) throws Throwable {
        long replies = engine.counters().get("arp-replies");
        long ignored = engine.counters().get("drop-arp-ignored");
        rings.inject(engine.port(PortRole.OUTSIDE), "aco", GatewayRingTest.arp(1, ROUTER_MAC, ROUTER, 0, address));
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.counters().get("arp-replies") > replies
                || engine.counters().get("drop-arp-ignored") > ignored);
        if (engine.counters().get("arp-replies") == replies) {
            return false;
        }
        assertThat(rings.collect("aco", 1, Duration.ofSeconds(5))).as("the reply").hasSize(1);
        return true;
    }

    @Test
    void aStagesClaimedAddressesAreAnsweredWhileItIsAttachedAndNotAfter() throws Throwable {
        start();
        assertThat(answers(CLAIMED)).as("nobody claims it yet").isFalse();

        ClaimingStage stage = new ClaimingStage(CLAIMED, CLAIMED);
        assertThat(engine.addStage(stage, "owner", 500, 1)).isTrue();
        assertThat(answers(CLAIMED)).as("claimed when attach returned").isTrue();
        assertThat(answers(LATER)).isFalse();

        // the claim is a live view: an address gained at run time is answered within the housekeeper's second
        stage.owned = new int[]{CLAIMED, LATER};
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(answers(LATER)).isTrue());

        engine.removeStage(stage);
        assertThat(answers(CLAIMED)).as("released with the stage").isFalse();
        assertThat(answers(LATER)).isFalse();
        assertThat(answers(Frames.ip("198.19.0.1"))).as("the port's own address stays").isTrue();
    }

    @Test
    void theNatClaimsItsPoolsAddressesAsThePoolsChange() throws Throwable {
        start();
        NatManager nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1024, 64, Duration.ofSeconds(1), 1024,
                OtherProtocolPolicy.DROP, false, 256));
        try {
            nat.addPool(PoolDefinition.of("public", List.of(new Ipv4Range(CLAIMED, CLAIMED))));
            assertThat(engine.addStage(nat, "nat", 500, 1)).isTrue();
            assertThat(answers(CLAIMED)).isTrue();

            nat.addPool(PoolDefinition.of("more", List.of(new Ipv4Range(LATER, LATER))));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(answers(LATER)).isTrue());
            nat.removePool("public");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(answers(CLAIMED)).isFalse());

            engine.removeStage(nat);
            assertThat(answers(LATER)).as("released with the stage").isFalse();
        } finally {
            nat.close();
        }
    }

    @Test
    void aClaimMadeThroughADetachedContextIsIgnored() {
        Interfaces ifs = new Interfaces(Frames.ip("198.18.0.1"), 24, 0, 1500, Frames.ip("198.19.0.1"), 25, 0, 1500,
                16);
        AddressClaims claims = new AddressClaims(ifs);
        RssConfig rss = RssConfig.symmetricDefault(1);
        AddressClaims.Attachment old = claims.attachment(1, rss, List.of());
        AddressClaims.Attachment successor = claims.attachment(1, rss, List.of());
        old.claimAddresses(() -> new int[]{CLAIMED, CLAIMED});
        successor.claimAddresses(() -> new int[]{LATER, LATER});
        claims.refresh();
        assertThat(ifs.isClaimed(CLAIMED)).isTrue();
        assertThat(ifs.isClaimed(LATER)).isTrue();

        // the old attachment ends (the stage was replaced by its successor): only the successor's claim stays
        claims.release(old);
        claims.refresh();
        assertThat(ifs.isClaimed(CLAIMED)).isFalse();
        assertThat(ifs.isClaimed(LATER)).isTrue();
        old.claimAddresses(() -> new int[]{CLAIMED, CLAIMED});
        claims.refresh();
        assertThat(ifs.isClaimed(CLAIMED)).as("claimed after its detach").isFalse();

        // a reading that fails or is malformed keeps the previous one
        successor.claimAddresses(() -> new int[]{LATER});
        claims.refresh();
        assertThat(ifs.isClaimed(LATER)).isTrue();
    }
}
