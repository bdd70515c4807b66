package dev.natgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedBackendTest {

    private static final Duration TTL = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-events"));
    private ScheduledExecutorService scheduler;
    private EmbeddedBackend backend = new EmbeddedBackend("me", clock, events, null, 100, 10);

    @AfterEach
    void stop() throws InterruptedException {
        backend.close();
        events.shutdown();
        assertThat(events.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        if (scheduler != null) {
            scheduler.shutdownNow();
            assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void announcedEntryIsFoundWithOwnerAndExpiry() {
        RegistryEntry entry = backend.announce("fwd", "198.19.0.1:7000", TTL);

        assertThat(entry).isEqualTo(new RegistryEntry("fwd", "198.19.0.1:7000", "me", clock.instant().plus(TTL)));
        assertThat(backend.lookup("fwd", 10)).containsExactly(entry);
        assertThat(backend.lookup("other", 10)).isEmpty();
        assertThat(backend.backend()).isEqualTo(Registry.BACKEND_EMBEDDED);
    }

    @Test
    void announcingAgainRefreshesAndADifferentValueAddsAnEntry() {
        backend.announce("fwd", "a", TTL);
        clock.advance(Duration.ofSeconds(20));
        RegistryEntry refreshed = backend.announce("fwd", "a", TTL);
        backend.announce("fwd", "b", TTL);

        assertThat(refreshed.expires()).isEqualTo(clock.instant().plus(TTL));
        assertThat(backend.lookup("fwd", 10)).extracting(RegistryEntry::value).containsExactlyInAnyOrder("a", "b");
        assertThat(backend.lookup("fwd", 1)).hasSize(1);
        clock.advance(Duration.ofSeconds(25));
        assertThat(backend.lookup("fwd", 10)).extracting(RegistryEntry::value).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void withdrawRemovesOnlyWhatIsThere() {
        backend.announce("fwd", "a", TTL);

        assertThat(backend.withdraw("fwd", "a")).isTrue();
        assertThat(backend.withdraw("fwd", "a")).isFalse();
        assertThat(backend.withdraw("nothing", "a")).isFalse();
        assertThat(backend.lookup("fwd", 10)).isEmpty();
        assertThat(backend.keys("")).isEmpty();
    }

    @Test
    void expiredEntriesVanishAtOnceAndTheSweepTellsWatches() {
        backend.announce("fwd", "short", Duration.ofSeconds(1));
        backend.announce("fwd", "long", TTL);
        Recorder recorder = new Recorder();
        backend.watch("fwd", recorder);
        await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("long", "short").equals(recorder.last()));

        clock.advance(Duration.ofSeconds(1));
        assertThat(backend.lookup("fwd", 10)).extracting(RegistryEntry::value).containsExactly("long");
        assertThat(backend.withdraw("fwd", "short")).as("expired, so not live").isFalse();
        backend.announce("fwd", "short", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));
        backend.sweep();

        await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("long").equals(recorder.last()));
        assertThat(backend.keys("")).containsEntry("fwd", 1);
    }

    @Test
    void theSchedulerRemovesExpiredEntriesOnItsOwn() {
        backend.close();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        backend = new EmbeddedBackend("me", Clock.systemUTC(), events, scheduler, 100, 10);
        backend.announce("fwd", "a", Registry.MIN_TTL);
        Recorder recorder = new Recorder();
        backend.watch("fwd", recorder);

        await().atMost(5, TimeUnit.SECONDS).until(() -> recorder.calls.size() >= 2 && recorder.last().isEmpty());
        assertThat(recorder.calls.get(0)).containsExactly("a");
        assertThat(backend.lookup("fwd", 10)).isEmpty();
    }

    @Test
    void watchSeesEveryChangeInOrderOnOneThreadNeverAtOnce() {
        Recorder recorder = new Recorder();
        backend.watch("fwd", recorder);
        await().atMost(5, TimeUnit.SECONDS).until(() -> recorder.last() != null);
        List<List<String>> states = List.of(List.of(), List.of("a"), List.of("a", "b"), List.of("b"),
                List.of("b", "c"), List.of("c"));

        backend.announce("fwd", "a", TTL);
        backend.announce("fwd", "b", TTL);
        backend.withdraw("fwd", "a");
        backend.announce("fwd", "c", TTL);
        backend.withdraw("fwd", "b");
        backend.announce("other", "x", TTL);

        await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("c").equals(recorder.last()));
        // a slow listener may skip states, never reorder them
        int at = -1;
        for (List<String> call : recorder.calls) {
            int index = states.indexOf(call);
            assertThat(index).as("call %s after state %s", call, at).isGreaterThanOrEqualTo(at);
            at = index;
        }
        assertThat(recorder.mostAtOnce).isEqualTo(1);
        assertThat(recorder.threads).containsOnly("test-events");
    }

    @Test
    void aClosedWatchIsCalledNoMore() {
        Recorder recorder = new Recorder();
        Registry.Watch watch = backend.watch("fwd", recorder);
        await().atMost(5, TimeUnit.SECONDS).until(() -> recorder.last() != null);

        watch.close();
        watch.close();
        int calls = recorder.calls.size();
        backend.announce("fwd", "a", TTL);
        Recorder after = new Recorder();
        backend.watch("fwd", after);

        await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("a").equals(after.last()));
        assertThat(recorder.calls).hasSize(calls);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        backend.watch("fwd", (key, current) -> {
            throw new IllegalStateException("listener bug");
        });
        Recorder recorder = new Recorder();
        backend.watch("fwd", recorder);
        backend.announce("fwd", "a", TTL);

        await().atMost(5, TimeUnit.SECONDS).until(() -> List.of("a").equals(recorder.last()));
    }

    @Test
    void entriesAndWatchesAreBounded() {
        backend.close();
        backend = new EmbeddedBackend("me", clock, events, null, 2, 1);
        backend.announce("k1", "a", TTL);
        backend.announce("k2", "a", Duration.ofSeconds(1));

        assertThatThrownBy(() -> backend.announce("k3", "a", TTL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("max.entries=2");
        backend.announce("k1", "a", TTL); // a refresh is no new entry
        clock.advance(Duration.ofSeconds(1));
        backend.announce("k3", "a", TTL); // the expired one made room

        Registry.Watch first = backend.watch("k1", new Recorder());
        assertThatThrownBy(() -> backend.watch("k2", new Recorder())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("max.watches=1");
        first.close();
        backend.watch("k2", new Recorder()).close();
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> backend.announce("bad key", "a", TTL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad key");
        assertThatThrownBy(() -> backend.announce("fwd", "", TTL)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.announce("fwd", "a", Duration.ofMillis(999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> backend.announce("fwd", "a", Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> backend.lookup("fwd", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max");
        assertThatThrownBy(() -> backend.watch("", new Recorder())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.withdraw("fwd", null)).isInstanceOf(NullPointerException.class);
        assertThat(backend.keys("")).isEmpty();
    }

    @Test
    void listingsGoByKeyPrefixInKeyOrder() {
        backend.announce("fwd/b", "1", TTL);
        backend.announce("fwd/a", "1", TTL);
        backend.announce("fwd/a", "2", TTL);
        backend.announce("srv/x", "1", TTL);

        assertThat(backend.keys("")).containsExactly(java.util.Map.entry("fwd/a", 2), java.util.Map.entry("fwd/b", 1),
                java.util.Map.entry("srv/x", 1));
        assertThat(backend.keys("fwd/")).containsOnlyKeys("fwd/a", "fwd/b");
        assertThat(backend.list("fwd", 10)).extracting(RegistryEntry::key).containsExactly("fwd/a", "fwd/a",
                "fwd/b");
        assertThat(backend.list("", 2)).hasSize(2);
    }

    @Test
    void aClosedBackendRefusesCallsAndClosesItsWatches() {
        Recorder recorder = new Recorder();
        backend.watch("fwd", recorder);
        backend.close();

        assertThatThrownBy(() -> backend.lookup("fwd", 1)).isInstanceOf(IllegalStateException.class);
    }
}
