package dev.natgw.traversal;

import dev.natgw.traversal.protocol.EndpointSigning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryListener;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server's announcement in the registry when a registry call fails: a value replaced or withdrawn while the
 * registry refused is withdrawn at the next step, so no value the server left stays behind for clients to try.
 */
class PublicationTest {

    private static final String A = "natgw://127.0.0.1:1001";
    private static final String B = "natgw://127.0.0.1:1002";

    private final RegistryManager registry = Fixture.registry();
    private final FlakyRegistry flaky = new FlakyRegistry(registry);
    private final FaceServer face;
    private final Identity id = Identity.generate();
    private final Publication p;

    PublicationTest() throws Exception {
        face = new FaceServer(flaky);
        p = new Publication(id, TraversalOptions.builder().registry(face.uri()).build());
    }

    @AfterEach
    void stop() {
        face.close();
        TestRegistry.stop(registry);
    }

    private List<String> values() {
        return registry.lookup(id.key(), 10).stream().map(e -> EndpointSigning.endpointOf(e.value())).toList();
    }

    @Test
    void aReplacedValueWhoseWithdrawalFailedIsWithdrawnAtTheNextStep() {
        p.announce(A);
        flaky.down = true;
        p.replaceAnnouncement(B);
        assertThat(values()).containsExactly(A);

        flaky.down = false;
        p.announce(B);
        assertThat(values()).containsExactly(B);
    }

    @Test
    void aRenewalOfAReplacedValueDoesNotBringItBack() {
        p.announce(A);
        p.replaceAnnouncement(B);
        p.renew(A);
        assertThat(values()).containsExactly(B);
        p.renew(B);
        assertThat(values()).containsExactly(B);
    }

    @Test
    void announcedValuesCarryTheOwnersSignatureOfTheEndpoint() throws Exception {
        p.announce(A);
        String value = registry.lookup(id.key(), 1).getFirst().value();
        assertThat(EndpointSigning.verify(id.key(), value, System.currentTimeMillis() / 1000).endpoint()).isEqualTo(A);
        // renewals reuse the signed value, so the registry refreshes one entry
        p.renew(A);
        p.announce(A);
        assertThat(registry.lookup(id.key(), 10)).singleElement().satisfies(e -> assertThat(e.value()).isEqualTo(
                value));
    }

    @Test
    void closingAfterAFailedReplacementWithdrawsBoth() {
        p.announce(A);
        flaky.down = true;
        p.replaceAnnouncement(B);
        flaky.down = false;
        p.withdrawAnnouncement();
        assertThat(values()).isEmpty();
    }

    @Test
    void forwardersAreAnnouncedSideBySideAndEachIsWithdrawnOnItsOwn() {
        String direct = "tcp://127.0.0.1:1003";
        p.replaceAnnouncement(direct);
        // the first forwarder's value replaces tcp://…, the second's stands beside the first
        p.addAnnouncement(A);
        assertThat(values()).containsExactly(A);
        p.addAnnouncement(B);
        assertThat(values()).containsExactlyInAnyOrder(A, B);
        p.renew(A);
        assertThat(values()).containsExactlyInAnyOrder(A, B);
        // one forwarder lost: its value goes, the other's stays, and a late renewal does not bring it back
        p.withdrawAnnouncement(A);
        p.renew(A);
        assertThat(values()).containsExactly(B);
        // a failed withdrawal is made good by the next step
        p.addAnnouncement(A);
        flaky.down = true;
        p.withdrawAnnouncement(A);
        flaky.down = false;
        p.renew(B);
        p.addAnnouncement(B);
        assertThat(values()).containsExactly(B);
        // reachable directly: tcp://… replaces every forwarder
        p.addAnnouncement(A);
        p.replaceAnnouncement(direct);
        assertThat(values()).containsExactly(direct);
        assertThat(p.announcedEndpoints()).containsExactly(direct);
    }

    /** The registry, refusing every change while down (the face answers 503, as for any registry failure). */
    private static final class FlakyRegistry implements Registry {
        private final Registry real;
        volatile boolean down;

        FlakyRegistry(Registry real) {
            this.real = real;
        }

        private void check() {
            if (down) {
                throw new IllegalStateException("down for the test");
            }
        }

        @Override
        public RegistryEntry announce(String key, String value, Duration ttl) {
            check();
            return real.announce(key, value, ttl);
        }

        @Override
        public List<RegistryEntry> lookup(String key, int max) {
            return real.lookup(key, max);
        }

        @Override
        public List<RegistryEntry> list(String prefix, int max) {
            return real.list(prefix, max);
        }

        @Override
        public boolean withdraw(String key, String value) {
            check();
            return real.withdraw(key, value);
        }

        @Override
        public Watch watch(String key, RegistryListener listener) {
            return real.watch(key, listener);
        }

        @Override
        public String backend() {
            return real.backend();
        }
    }
}
