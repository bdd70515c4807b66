package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an ARP packet may do to a port's neighbour table: a reply counts only while natgw's own request is out, a
 * request to natgw adds an unknown sender, nothing changes a known MAC or a pinned one, and the table's layout
 * depends on a seed nobody outside knows.
 */
class NeighboursTest {
    static final int GW = 0xC613_0002; // 198.19.0.2
    static final int HOST = 0xC613_0005;
    static final long REAL = 0x02_00_00_00_01_02L;
    static final long FORGED = 0x02_66_66_66_66_66L;
    static final long T0 = 1_000_000;

    private final Neighbours table = new Neighbours(64);

    @Test
    void aReplyNobodyAskedForAddsNothing() {
        assertThat(table.answer(GW, FORGED, T0)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.lookup(GW)).isZero();
        assertThat(entries()).isEmpty();
    }

    @Test
    void aReplyToNatgwsRequestIsLearntWhileTheRequestIsOut() {
        assertThat(table.shouldRequest(GW, T0, 1000)).isTrue();
        assertThat(table.answer(GW, REAL, T0 + 10)).isEqualTo(Neighbours.LEARNED);
        assertThat(table.lookup(GW)).isEqualTo(REAL);
        // the request is answered: a second reply with another MAC is refused
        assertThat(table.answer(GW, FORGED, T0 + 20)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.lookup(GW)).isEqualTo(REAL);
    }

    @Test
    void aLateReplyIsRefused() {
        assertThat(table.shouldRequest(GW, T0, 1000)).isTrue();
        assertThat(table.answer(GW, REAL, T0 + Neighbours.ANSWER_MILLIS + 1)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.lookup(GW)).isZero();
    }

    @Test
    void noPacketChangesAKnownMacUntilNatgwAsksAgain() {
        assertThat(table.announce(GW, REAL, T0)).isEqualTo(Neighbours.LEARNED);
        assertThat(table.answer(GW, FORGED, T0 + 1)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.announce(GW, FORGED, T0 + 2)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.lookup(GW)).isEqualTo(REAL);
        // the known MAC confirms the entry: its age starts again
        assertThat(table.answer(GW, REAL, T0 + 5000)).isEqualTo(Neighbours.LEARNED);
        assertThat(entries()).containsExactly("c6130002 20000000102 0 false");
        // the router was replaced: natgw's own request (the housekeeper's refresh) learns the new MAC
        table.asking(GW, T0 + 6000);
        assertThat(table.answer(GW, FORGED, T0 + 6001)).isEqualTo(Neighbours.LEARNED);
        assertThat(table.lookup(GW)).isEqualTo(FORGED);
    }

    @Test
    void aRequestToNatgwAddsAnUnknownSenderOrAnswersAnOutstandingRequest() {
        assertThat(table.announce(HOST, REAL, T0)).isEqualTo(Neighbours.LEARNED);
        assertThat(table.lookup(HOST)).isEqualTo(REAL);
        assertThat(table.shouldRequest(GW, T0, 1000)).isTrue();
        assertThat(table.announce(GW, REAL, T0 + 1)).isEqualTo(Neighbours.LEARNED);
        assertThat(table.lookup(GW)).isEqualTo(REAL);
    }

    @Test
    void aPinnedEntryNeverChangesAndNeverExpires() {
        table.pin(GW, REAL);
        table.asking(GW, T0);
        assertThat(table.answer(GW, FORGED, T0 + 1)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.announce(GW, FORGED, T0 + 2)).isEqualTo(Neighbours.REFUSED);
        assertThat(table.learn(GW, FORGED, T0 + 3)).isTrue();
        assertThat(table.shouldRequest(GW, T0 + 4, 1000)).isFalse();
        assertThat(table.expire(T0 + 86_400_000L, 1000, 1000)).isEqualTo(1);
        assertThat(table.lookup(GW)).isEqualTo(REAL);
        assertThat(entries()).containsExactly("c6130002 20000000102 0 true");
    }

    @Test
    void learntEntriesExpireAndAnIncompleteOneGoesSooner() {
        table.announce(HOST, REAL, T0);
        assertThat(table.shouldRequest(GW, T0, 1000)).isTrue();
        assertThat(table.expire(T0 + 3001, 300_000, 3000)).as("the unanswered request").isEqualTo(1);
        assertThat(table.expire(T0 + 300_001, 300_000, 3000)).isZero();
        assertThat(table.answer(HOST, REAL, T0 + 300_002)).as("gone: a reply no longer adds it")
                .isEqualTo(Neighbours.REFUSED);
    }

    @Test
    void whereAnAddressLivesDependsOnTheSeed() {
        Neighbours a = new Neighbours(1024, 1);
        Neighbours b = new Neighbours(1024, 2);
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            int ip = 0xC613_0000 + i;
            if (a.home(ip) != b.home(ip)) {
                differ++;
            }
        }
        assertThat(differ).isGreaterThan(900);
    }

    private List<String> entries() {
        List<String> out = new ArrayList<>();
        table.forEach(T0 + 5000, (ip, mac, age, pinned) -> out.add(Integer.toHexString(ip) + " " + Long.toHexString(mac)
                + " " + age + " " + pinned));
        return out;
    }
}
