package dev.natgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import dev.natgw.itests.SessionSamples.Flow;
import dev.natgw.itests.SessionSamples.Sample;
import dev.natgw.itests.SessionSamples.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.Test;

public class SessionSamplesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long MS = 1_000_000;

    /** An ICMP echo session of identifier id. */
    private static SessionInfo echo(int id, long idleMillis, long ageMillis) {
        return new SessionInfo(Protocol.ICMP, new Endpoint(0xC6120002, id), new Endpoint(0xC6130001, 1000 + id),
                new Endpoint(0xC6130002, id), TcpState.NONE, idleMillis, 0, "public", ageMillis);
    }

    private static Sample at(long millis, SessionInfo... sessions) {
        return new Sample(millis * MS, (millis + 2) * MS, List.of(sessions));
    }

    /** Asserts that the verdict counts one loss, and that its description holds text. */
    private static void assertLostOne(Verdict v, String text) {
        assertEquals(v.lost().toString(), 1, v.lost().size());
        assertTrue(v.lost().get(0), v.lost().get(0).contains(text));
    }

    private static final SessionInfo KEEPER = echo(1, 150, 9_000);
    private static final Flow KEPT = Flow.of(KEEPER);

    @Test
    public void aShortUpdateKeepsEveryFlowAndRequiresThemAll() {
        Sample before = at(0, KEEPER, echo(2, 3_000, 3_000), echo(3, 0, 0));
        Sample after = at(2_000, echo(1, 100, 11_000), echo(2, 5_002, 5_002), echo(3, 2_002, 2_002));

        Verdict v = SessionSamples.judge(before, after, TIMEOUT, KEPT);

        assertEquals(List.of(), v.lost());
        assertEquals(2, v.required());
        assertEquals(0, v.expired());
        assertEquals(2_002, v.millis());
    }

    @Test
    public void aFlowWhoseLifeRanOutDuringTheUpdateHasExpiredLegitimately() {
        // 10 s - 8 s = 2 s left, less than the 3 s of the update plus the margin
        Sample before = at(0, KEEPER, echo(2, 8_000, 8_000), echo(3, 9_500, 9_500));
        Sample after = at(3_000, echo(1, 100, 12_000), echo(3, 12_000, 12_000));

        Verdict v = SessionSamples.judge(before, after, TIMEOUT, KEPT);

        assertEquals(List.of(), v.lost());
        assertEquals(0, v.required());
        assertEquals(1, v.expired());
        assertEquals(1, v.outlived());
        assertTrue(v.summary(), v.summary().contains("checked only the kept-alive flow"));
    }

    @Test
    public void aRequiredFlowThatIsGoneIsLost() {
        Sample before = at(0, KEEPER, echo(2, 1_000, 1_000));
        Sample after = at(2_000, echo(1, 100, 11_000));

        Verdict v = SessionSamples.judge(before, after, TIMEOUT, KEPT);

        assertLostOne(v, "gone, with 9000 ms of life left");
    }

    @Test
    public void theKeptAliveFlowIsRequiredHoweverLongTheUpdate() {
        Sample before = at(0, KEEPER);
        Sample after = at(30_000);

        Verdict v = SessionSamples.judge(before, after, TIMEOUT, KEPT);

        assertLostOne(v, "the kept-alive flow " + KEPT + ": gone");
    }

    @Test
    public void aNewSessionInTheKeptAliveFlowsPlaceIsALoss() {
        Sample before = at(0, KEEPER);
        // same identity, but created during the update: younger than the 9 s it had plus the 4 s between the samples
        Sample after = at(4_000, echo(1, 100, 1_500));

        Verdict v = SessionSamples.judge(before, after, TIMEOUT, KEPT);

        assertLostOne(v, "replaced by a new session");
    }

    @Test
    public void theKeptAliveFlowMustBeThereBeforeTheUpdate() {
        Verdict v = SessionSamples.judge(at(0, echo(2, 0, 0)), at(1_000, echo(2, 1_000, 1_000)), TIMEOUT, KEPT);

        assertLostOne(v, "was not there before the update");
    }
}
