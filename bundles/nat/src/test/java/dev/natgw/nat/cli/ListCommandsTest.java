package dev.natgw.nat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.SubscriberLimits;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListCommandsTest extends CommandTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PoolListCommand pools() {
        PoolListCommand c = new PoolListCommand();
        c.natService = nat;
        return c;
    }

    private SessionListCommand sessions() {
        SessionListCommand c = new SessionListCommand();
        c.natService = nat;
        return c;
    }

    private StatsCommand stats() {
        StatsCommand c = new StatsCommand();
        c.natService = nat;
        return c;
    }

    @Test
    void poolsTableShowsBehavioursUsageAndSessions() {
        populate();
        PoolListCommand c = pools();
        c.noFormat = true;

        c.execute();

        // in use, held, free, total
        assertThat(printed())
                .containsPattern(
                        "public\\s+198.19.0.1\\s+1025-65535\\s+EIM\\s+ADF\\s+yes\\s+8192\\s+16384\\s+2000 \\(4000\\)\\s+256\\s+3\\s+0"
                                + "\\s+193530\\s+193533\\s+0.0%\\s+1\\s+1\\s+1")
                .containsPattern(
                        "cgn\\s+198.19.1.0-198.19.1.3\\s+2000-2999\\s+APDM\\s+EIF\\s+no\\s+64\\s+16384\\s+2000 \\(4000\\)\\s+256\\s+2\\s+2"
                                + "\\s+11998\\s+12000\\s+0.0%\\s+0\\s+0\\s+0");
    }

    /** A port-block pool (4 addresses x 252 blocks of 256) and a deterministic one (2 x 126 of 512) beside populate's. */
    private void blockPools() {
        nat.addPool(new PoolDefinition("blk", List.of(Ipv4Range.parse("198.19.2.0/30")), 1024, 65535,
                MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT, true, 0, false,
                SubscriberLimits.DEFAULT, PortAllocation.blocks(256, 4)));
        nat.addPool(new PoolDefinition("det", List.of(Ipv4Range.parse("198.19.3.0/31")), 1024, 65535,
                MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT, true, 0, false,
                SubscriberLimits.DEFAULT, PortAllocation.deterministic(512, Ipv4Range.parse("100.64.0.0/25"))));
        nat.setBlocksInUse("blk", 7).setBlocksInUse("det", 128);
    }

    @Test
    void poolsTableShowsTheAllocationModeAndBlocksInUseOfAll() {
        populate();
        blockPools();
        PoolListCommand c = pools();
        c.noFormat = true;

        c.execute();

        // the last two columns: the mode (block size, blocks a host may hold) and blocks in use / in all
        assertThat(printed())
                .containsPattern("(?m)public\\s+198.19.0.1\\s.*\\s1\\s+1\\s+1\\s+per-session\\s+-\\s*$")
                .containsPattern("(?m)blk\\s+198.19.2.0-198.19.2.3\\s.*\\sblocks 256 x4/host\\s+7/1008\\s*$")
                .containsPattern("(?m)det\\s+198.19.3.0-198.19.3.1\\s.*\\sdeterministic 512\\s+128/252\\s*$");
    }

    @Test
    void poolsJsonHasTheAllocationAndBlocks() throws Exception {
        populate();
        blockPools();
        PoolListCommand c = pools();
        c.json = true;

        c.execute();

        JsonNode pools = JSON.readTree(printed()).get("pools");
        JsonNode pub = pools.get(0);
        assertThat(pub.get("allocation").get("mode").asText()).isEqualTo("PER_SESSION");
        assertThat(pub.get("allocation").get("blocksTotal").isNull()).isTrue();
        assertThat(pub.get("usage").get("blocksInUse").asLong()).isZero();
        JsonNode blk = pools.get(2);
        assertThat(blk.get("name").asText()).isEqualTo("blk");
        assertThat(blk.get("allocation").get("mode").asText()).isEqualTo("PORT_BLOCKS");
        assertThat(blk.get("allocation").get("blockSize").asInt()).isEqualTo(256);
        assertThat(blk.get("allocation").get("blocksPerHost").asInt()).isEqualTo(4);
        assertThat(blk.get("allocation").get("blocksTotal").asLong()).isEqualTo(1008);
        assertThat(blk.get("usage").get("blocksInUse").asLong()).isEqualTo(7);
        JsonNode det = pools.get(3);
        assertThat(det.get("allocation").get("mode").asText()).isEqualTo("DETERMINISTIC");
        assertThat(det.get("allocation").get("insidePrefix").asText()).isEqualTo("100.64.0.0-100.64.0.127");
        assertThat(det.get("allocation").get("blocksPerHost").isNull()).isTrue();
        assertThat(det.get("allocation").get("blocksTotal").asLong()).isEqualTo(252);
        assertThat(det.get("usage").get("blocksInUse").asLong()).isEqualTo(128);
    }

    StaticListCommand statics() {
        StaticListCommand c = new StaticListCommand();
        c.natService = nat;
        return c;
    }

    @Test
    void staticsShowWhatIsInForceAndWhatIsRefusedWithWhy() throws Exception {
        nat.saveStaticMapping(new StaticMapping(Protocol.TCP, Endpoint.parse("198.19.0.1:8080"),
                Endpoint.parse("10.0.0.9:80")));
        String why = nat.configureStaticMapping("dev.natgw.nat.static~web", new StaticMapping(Protocol.TCP,
                Endpoint.parse("198.19.0.1:8080"), Endpoint.parse("10.0.0.10:80")));
        StaticListCommand c = statics();
        c.noFormat = true;
        c.execute();
        assertThat(printed()).contains("TCP", "198.19.0.1:8080", "10.0.0.9:80", "in force",
                "memory~TCP-198.19.0.1:8080", "10.0.0.10:80", "refused: " + why, "dev.natgw.nat.static~web");

        StaticListCommand json = statics();
        json.json = true;
        clearPrinted();
        json.execute();
        JsonNode root = new ObjectMapper().readTree(printed());
        assertThat(root.get("statics")).hasSize(2);
        assertThat(root.get("statics").get(1).get("active").asBoolean()).isFalse();
        assertThat(root.get("statics").get(1).get("refusal").asText()).isEqualTo(why);
        assertThat(root.get("statics").get(0).get("global").asText()).isEqualTo("198.19.0.1:8080");
    }

    @Test
    void staticsWithoutAnySaySo() {
        StaticListCommand c = statics();
        c.noFormat = true;
        c.execute();
        assertThat(printed()).isEqualToIgnoringNewLines("no static mappings");
    }

    @Test
    void poolsWithoutAnySaySo() {
        PoolListCommand c = pools();
        c.noFormat = true;

        c.execute();

        assertThat(printed()).contains("no pools");
    }

    @Test
    void poolsJsonHasDottedAddressesAndUsage() throws Exception {
        populate();
        PoolListCommand c = pools();
        c.json = true;

        c.execute();

        JsonNode root = JSON.readTree(printed());
        JsonNode pub = root.get("pools").get(0);
        assertThat(pub.get("name").asText()).isEqualTo("public");
        assertThat(pub.get("addresses").get(0).asText()).isEqualTo("198.19.0.1");
        assertThat(pub.get("portMin").asInt()).isEqualTo(1025);
        assertThat(pub.get("mapping").asText()).isEqualTo("ENDPOINT_INDEPENDENT");
        assertThat(pub.get("filtering").asText()).isEqualTo("ADDRESS_DEPENDENT");
        assertThat(pub.get("pairedPooling").asBoolean()).isTrue();
        assertThat(pub.get("usage").get("portsInUse").asLong()).isEqualTo(3);
        assertThat(pub.get("usage").get("portsHeld").asLong()).isZero();
        assertThat(root.get("pools").get(1).get("usage").get("portsHeld").asLong()).isEqualTo(2);
        assertThat(root.get("pools").get(1).get("usage").get("portsFree").asLong()).isEqualTo(11998);
        assertThat(pub.get("usage").get("portsTotal").asLong()).isEqualTo(3 * 64511);
        assertThat(pub.get("usage").get("tcpSessions").asLong()).isEqualTo(1);
        assertThat(root.get("pools").get(1).get("addresses").get(0).asText()).isEqualTo("198.19.1.0-198.19.1.3");
        assertThat(root.get("pools").get(1).get("perHostPortQuota").asInt()).isEqualTo(64);
    }

    @Test
    void sessionsTableAndFooter() {
        populate();
        SessionListCommand c = sessions();
        c.noFormat = true;

        c.execute();

        assertThat(printed())
                .containsPattern(
                        "tcp\\s+10.0.0.2:40000\\s+198.19.0.1:1025\\s+203.0.113.7:443\\s+ESTABLISHED\\s+1s\\s+1m02s"
                                + "\\s+0\\s+public")
                .containsPattern(
                        "udp\\s+10.0.0.2:5353\\s+198.19.0.1:1026\\s+203.0.113.8:53\\s+-\\s+3m20s\\s+4m21s\\s+1")
                .containsPattern("icmp\\s+10.0.0.3:7.*2h13m")
                .containsPattern("10.0.0.9:80.*\\(static\\)")
                .contains("4 of 4 sessions shown");
    }

    @Test
    void sessionsFilteredAndLimited() {
        populate();
        SessionListCommand c = sessions();
        c.noFormat = true;
        c.protocol = "TCP";
        c.limit = 1;

        c.execute();

        assertThat(printed()).contains("10.0.0.2:40000").doesNotContain("10.0.0.9:80")
                .contains("1 of 4 sessions shown");
    }

    @Test
    void sessionsFilterByInsideRemoteAndPool() {
        populate();
        SessionListCommand c = sessions();
        c.noFormat = true;
        c.inside = "10.0.0.2";
        c.remote = "203.0.113.8";
        c.pool = "public";

        c.execute();

        assertThat(printed()).contains("10.0.0.2:5353").doesNotContain("10.0.0.2:40000")
                .contains("1 of 4 sessions shown");
    }

    @Test
    void sessionsJsonHasEndpointsAsText() throws Exception {
        populate();
        SessionListCommand c = sessions();
        c.json = true;
        c.pool = "public";

        c.execute();

        JsonNode root = JSON.readTree(printed());
        assertThat(root.get("shown").asInt()).isEqualTo(3);
        assertThat(root.get("total").asLong()).isEqualTo(4);
        JsonNode first = root.get("sessions").get(0);
        assertThat(first.get("protocol").asText()).isEqualTo("TCP");
        assertThat(first.get("inside").asText()).isEqualTo("10.0.0.2:40000");
        assertThat(first.get("outside").asText()).isEqualTo("198.19.0.1:1025");
        assertThat(first.get("remote").asText()).isEqualTo("203.0.113.7:443");
        assertThat(first.get("state").asText()).isEqualTo("ESTABLISHED");
        assertThat(first.get("idleMillis").asLong()).isEqualTo(1500);
        assertThat(first.get("ageMillis").asLong()).isEqualTo(62_500);
        assertThat(first.get("pool").asText()).isEqualTo("public");
    }

    @Test
    void staticSessionsHaveANullPoolInJson() throws Exception {
        populate();
        SessionListCommand c = sessions();
        c.json = true;
        c.inside = "10.0.0.9";

        c.execute();

        assertThat(JSON.readTree(printed()).get("sessions").get(0).get("pool").isNull()).isTrue();
    }

    @Test
    void sessionsRefuseBadOptions() {
        SessionListCommand c = sessions();
        c.limit = 0;
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--limit must be at least 1, was 0");

        SessionListCommand p = sessions();
        p.protocol = "sctp";
        assertThatThrownBy(p::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--protocol must be tcp, udp or icmp, was \"sctp\"");

        SessionListCommand i = sessions();
        i.inside = "10.0.0";
        assertThatThrownBy(i::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--inside \"10.0.0\" is not an IPv4 address a.b.c.d");

        SessionListCommand r = sessions();
        r.remote = "host.example";
        assertThatThrownBy(r::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--remote \"host.example\"");
    }

    @Test
    void idleIsShortAndRoundedDown() {
        assertThat(SessionListCommand.idle(999)).isEqualTo("0s");
        assertThat(SessionListCommand.idle(59_999)).isEqualTo("59s");
        assertThat(SessionListCommand.idle(60_000)).isEqualTo("1m00s");
        assertThat(SessionListCommand.idle(3_599_000)).isEqualTo("59m59s");
        assertThat(SessionListCommand.idle(7_440_000)).isEqualTo("2h04m");
    }

    @Test
    void statsShowCountersAndNonZeroDropsMostFirst() {
        populate();
        nat.setCounters(new NatCounters(10, 6, 4, 1000, 900, 2, 1, 50, 3,
                Map.of("fragment", 5L, "bad-l4-checksum", 40L, "no-session", 5L, "truncated", 0L),
                Map.of(dev.natgw.api.nat.TcpState.ESTABLISHED, 7L, dev.natgw.api.nat.TcpState.FIN_OUT, 2L)));
        StatsCommand c = stats();
        c.noFormat = true;

        c.execute();

        String out = printed();
        assertThat(out).contains("Sessions alive: 4")
                .containsPattern("sessions created\\s+10")
                .containsPattern("packets in2out\\s+1000")
                .containsPattern("packets out2in\\s+900")
                .containsPattern("refused: pool exhausted\\s+2")
                .containsPattern("refused: host quota\\s+1")
                .containsPattern("handoff drops\\s+3")
                .containsPattern("ESTABLISHED\\s+7")
                .containsPattern("FIN_OUT\\s+2")
                .containsPattern("INIT_IN\\s+0")
                .doesNotContain("truncated");
        assertThat(out.indexOf("bad-l4-checksum")).isLessThan(out.indexOf("fragment"));
        assertThat(out.indexOf("fragment")).isLessThan(out.indexOf("no-session"));
    }

    @Test
    void statsWithoutDropsSaySo() {
        StatsCommand c = stats();
        c.noFormat = true;

        c.execute();

        assertThat(printed()).contains("Sessions alive: 0").contains("no drops");
    }

    @Test
    void statsJson() throws Exception {
        nat.setCounters(new NatCounters(10, 6, 4, 1000, 900, 2, 1, 50, 3, Map.of("fragment", 5L, "truncated", 0L),
                Map.of(dev.natgw.api.nat.TcpState.INIT_IN, 4L)));
        StatsCommand c = stats();
        c.json = true;

        c.execute();

        JsonNode root = JSON.readTree(printed());
        assertThat(root.get("sessions").asLong()).isZero();
        assertThat(root.get("counters").get("sessionsCreated").asLong()).isEqualTo(10);
        assertThat(root.get("counters").get("handoffDrops").asLong()).isEqualTo(3);
        assertThat(root.get("drops").get("fragment").asLong()).isEqualTo(5);
        assertThat(root.get("drops").has("truncated")).isFalse();
        assertThat(root.get("tcpStates").get("INIT_IN").asLong()).isEqualTo(4);
        assertThat(root.get("tcpStates").get("ESTABLISHED").asLong()).isZero();
        assertThat(root.get("tcpStates").has("NONE")).isFalse();
    }
}
