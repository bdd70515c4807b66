package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.registry.Registry;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's entry in the registry under {@link ForwarderService#ANNOUNCE_KEY}: renewed by the engine's timer
 * every third of {@code announce.ttl}, so one missed renewal does not let it expire, and withdrawn when the engine
 * closes. A failing registry is logged once when it starts failing and once when it works again, not at every
 * renewal. Thread-safe; renewals come from the timer thread only.
 */
final class Announcement {

    private static final Logger LOG = LoggerFactory.getLogger(Announcement.class);

    private final ForwarderSettings settings;
    private final Registry registry;
    private final Supplier<InetSocketAddress> bound;
    private final String fingerprint;
    private volatile String announcedAs;
    private volatile boolean failing;

    /**
     * @param registry where to announce, or null not to
     * @param bound the address the engine listens on, asked at each renewal
     * @param fingerprint the TLS certificate's, announced for pinning; null without TLS
     */
    Announcement(ForwarderSettings settings, Registry registry, Supplier<InetSocketAddress> bound,
            String fingerprint) {
        this.settings = settings;
        this.fingerprint = fingerprint;
        this.registry = registry;
        this.bound = bound;
    }

    /** {@return true if this forwarder announces itself at all} */
    boolean enabled() {
        return registry != null && settings.announce();
    }

    /** {@return the value announced now, or null while none is} */
    String announcedAs() {
        return announcedAs;
    }

    /** Announces (again); never throws. */
    void renew() {
        String value = settings.announceValue(bound.get(), fingerprint);
        try {
            registry.announce(ForwarderService.ANNOUNCE_KEY, value, settings.announceTtl());
            announcedAs = value;
            if (failing) {
                LOG.info("forwarder announced again as {}", value);
                failing = false;
            }
        } catch (RuntimeException e) {
            announcedAs = null;
            if (!failing) {
                LOG.warn("forwarder cannot announce itself as {}: {}; retrying", value, e.getMessage());
                failing = true;
            }
        }
    }

    /** Withdraws the announcement, if this forwarder announces; never throws. */
    void withdraw() {
        if (enabled()) {
            try {
                registry.withdraw(ForwarderService.ANNOUNCE_KEY, settings.announceValue(bound.get(), fingerprint));
            } catch (RuntimeException e) {
                LOG.warn("forwarder could not withdraw its announcement: {}", e.getMessage());
            }
            announcedAs = null;
        }
    }
}
