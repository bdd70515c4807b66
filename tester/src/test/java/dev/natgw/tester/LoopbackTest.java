package dev.natgw.tester;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.dataplane.dpdk.Eal;
import dev.natgw.dataplane.dpdk.Port;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tester against a loopback of itself: its two ports are DPDK ring ports, and between their rings runs
 * {@link RingNat}, a NAPT with the limits each test gives it. The tester must find those limits with its RFC 9693
 * procedures, and must refuse frames the gateway damaged.
 */
class LoopbackTest {
    static final AtomicInteger SERIAL = new AtomicInteger();
    static final int INSIDE_HOST = Rfc9693.ip("198.18.0.2");
    static final int GLOBAL = Rfc9693.ip("198.19.0.1");
    Port inside;
    Port outside;
    RingNat nat;
    Tester tester;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void eal() {
        Eal.ensure(List.of("-l", "0", "--no-shconf", "--no-telemetry", "--no-huge", "--no-pci", "-m", "512",
                "--log-level=lib.eal:warning"));
    }

    Procedures start(long rate, long newRate, int tableMax, int corruptEvery, long safeRate, long maxRate) {
        int n = SERIAL.incrementAndGet();
        RssConfig rss = RssConfig.symmetricDefault(1);
        inside = Port.open("ti", PortRole.INSIDE, "ring:lbi" + n, 1, 1500, 8191, rss);
        outside = Port.open("to", PortRole.OUTSIDE, "ring:lbo" + n, 1, 1500, 8191, rss);
        nat = new RingNat("lbi" + n, "lbo" + n, GLOBAL, rate, newRate, tableMax, corruptEvery);
        tester = new Tester(new Tester.Side(inside.id(), inside.pool(), inside.mac()),
                new Tester.Side(outside.id(), outside.pool(), outside.mac()), 0x02_00_00_00_00_01L,
                0x02_00_00_00_00_02L, INSIDE_HOST, Rfc9693.ip("198.19.0.2"), GLOBAL, GLOBAL, 1_000_000_000L);
        return new Procedures(tester, nat, new Procedures.Settings(INSIDE_HOST, Rfc9693.ip("198.19.128.0"), safeRate,
                maxRate, 1.0, 0.02, 10), new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        if (nat != null) {
            nat.close();
        }
        if (tester != null) {
            tester.close();
        }
        if (inside != null) {
            inside.close();
        }
        if (outside != null) {
            outside.close();
        }
        System.out.print(log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheZeroLossRateItIsGiven() {
        long limit = 10_000;
        Procedures p = start(limit, Long.MAX_VALUE / 2, 1 << 16, 0, 5_000, 40_000);
        long total = p.throughput(2000, Frames.MIN);
        // both directions together; the bucket lets 50 ms of the rate through on top of it in a 1 s trial
        assertThat(total / 2).isBetween((long) (limit * 0.9), (long) (limit * 1.07));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("measure zero-loss-64B-2k-pps " + total);
    }

    @Test
    void findsTheConnectionEstablishmentRateItIsGiven() {
        long newRate = 8_000;
        Procedures p = start(Long.MAX_VALUE / 2, newRate, 1 << 16, 0, 5_000, 32_000);
        // 8000 connections: a trial at the limit lasts 1 s, so the bucket's 50 ms adds 5 %
        long found = p.establishmentRate(8000);
        assertThat(found).isBetween((long) (newRate * 0.9), (long) (newRate * 1.08));
        // each trial opened connections of its own: the validation frames came back through them
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("establish-8k-validation").contains("-> pass");
    }

    @Test
    void findsTheTableCapacityItIsGiven() {
        int table = 3000;
        Procedures p = start(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2, table, 0, 20_000, 1_000_000);
        long found = p.capacity(512, 1 << 14);
        assertThat(found).isBetween((long) (table * 0.97), (long) table);
    }

    @Test
    void refusesFramesWithBrokenChecksumsAndCountsThem() {
        Procedures p = start(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2, 1 << 16, 97, 5_000, 5_000);
        Flows f = new Flows(1000, INSIDE_HOST, Rfc9693.ip("198.19.128.0"), 1 << 20);
        Tester.Result r = tester.establish(f, 5_000, 200);
        assertThat(r.refused()[Frames.BAD_UDP_CHECKSUM]).isEqualTo(1000 / 97);
        assertThat(r.okForward()).isEqualTo(1000 - 1000 / 97);
        assertThat(f.mapped()).isEqualTo(1000 - 1000 / 97);
        // the procedure fails every trial, so it finds no rate at all
        assertThat(p.establishmentRate(200)).isZero();
    }

    @Test
    void measuresTheTearDownOfAFlushableTable() {
        Procedures p = start(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2, 1 << 16, 0, 10_000, 10_000);
        nat.teardownPerSecond = 100_000;
        // 4000 sessions deleted in 40 ms, against the flush's own cost of microseconds: never faster than the rate
        // given; slower by what a loaded machine takes from the gateway's thread (seen: 5x at a load of 14 on two
        // cores), so the lower bound only says a rate was measured at all
        assertThat(p.teardownRate(4000)).isBetween(5_000L, 101_000L);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("teardown 4000: full table");
    }
}
