package dev.natgw.forwarder;

import dev.natgw.traversal.protocol.Ed25519Provider;
import dev.natgw.api.forwarder.AllowedKey;
import dev.natgw.api.forwarder.ForwarderAdminService;
import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderLoad;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.api.forwarder.TenantQuota;
import dev.natgw.api.forwarder.TenantStatus;
import dev.natgw.api.registry.Registry;
import dev.natgw.forwarder.internal.AdmissionSettings;
import dev.natgw.forwarder.internal.Credentials;
import dev.natgw.forwarder.internal.ForwarderConfig;
import dev.natgw.forwarder.internal.ForwarderEngine;
import dev.natgw.forwarder.internal.ForwarderSettings;
import dev.natgw.forwarder.internal.ForwarderTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's forwarder: checks the configuration, runs a {@link ForwarderEngine} on it and announces it in the
 * {@link Registry}. A new configuration replaces the engine (connections of the old one are closed; servers register
 * again, which the traversal library does on its own). The {@link Credentials} (tenants, allow-listed keys) outlive
 * the engines: they live in the credentials file. Every method is safe from any thread.
 */
@Component(service = {ForwarderService.class, ForwarderAdminService.class}, configurationPid = ForwarderManager.PID)
@Designate(ocd = ForwarderConfig.class)
public class ForwarderManager implements ForwarderAdminService {

    /** The configuration PID. */
    public static final String PID = "dev.natgw.forwarder";

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderManager.class);

    private final Registry registry;
    private final Clock clock;
    private volatile ForwarderEngine engine;
    private volatile Credentials credentials;

    /** Whether this instance installed the {@link Ed25519Provider}. */
    private final boolean ed25519Provider;

    /**
     * Starts listening.
     *
     * @throws IllegalArgumentException naming the configuration key at fault
     * @throws UncheckedIOException if the port cannot be bound
     */
    @Activate
    public ForwarderManager(ForwarderConfig config, @Reference Registry registry) {
        this(config, registry, Clock.systemUTC());
    }

    /** For tests: a given clock. */
    public ForwarderManager(ForwarderConfig config, Registry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        // TLS handshakes sign and check Ed25519 (the generated certificate) as fast as the protocol does; removed
        // again at deactivation if this instance put it there, so no provider of an old class loader stays behind
        this.ed25519Provider = Ed25519Provider.install();
        ForwarderSettings settings = ForwarderSettings.of(config);
        AdmissionSettings admission = AdmissionSettings.of(config);
        this.credentials = new Credentials(admission.credentialsFile(), clock);
        this.engine = start(settings, admission);
        logStart(settings);
    }

    @Modified
    void modified(ForwarderConfig config) {
        ForwarderSettings settings = ForwarderSettings.of(config);
        AdmissionSettings admission = AdmissionSettings.of(config);
        synchronized (this) {
            if (!Objects.equals(admission.credentialsFile(), credentials.file())) {
                credentials = new Credentials(admission.credentialsFile(), clock);
            }
            engine.close();
            engine = start(settings, admission);
        }
        logStart(settings);
    }

    private void logStart(ForwarderSettings settings) {
        ForwarderInfo info = engine.info();
        LOG.info("natgw forwarder active on {}{}; bulk relay path: {}", info.listen(), info.tls()
                ? " (TLS, certificate " + info.fingerprint() + ")"
                : "", engine.relayPath());
        if (settings.plaintextBeyondLoopback()) {
            LOG.warn("natgw forwarder speaks plain TCP on {}, beyond loopback (allow.plaintext): anyone on the path"
                    + " reads registrations, tokens and client addresses", info.listen());
        }
    }

    @Deactivate
    public void deactivate() {
        engine.close();
        if (ed25519Provider) {
            Ed25519Provider.uninstall();
        }
        LOG.info("natgw forwarder stopped");
    }

    private ForwarderEngine start(ForwarderSettings s, AdmissionSettings admission) {
        ForwarderEngine e = new ForwarderEngine(s, admission, credentials, s.tls() ? ForwarderTls.of(s) : null,
                registry, clock);
        try {
            e.start();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return e;
    }

    /** {@return the address the forwarder listens on now} */
    public InetSocketAddress boundAddress() {
        return engine.boundAddress();
    }

    @Override
    public ForwarderInfo info() {
        return engine.info();
    }

    @Override
    public List<RegisteredServer> servers() {
        return engine.servers();
    }

    @Override
    public List<RelaySession> sessions(int limit) {
        return engine.sessions(limit);
    }

    @Override
    public ForwarderCounters counters() {
        return engine.counters();
    }

    @Override
    public ForwarderLoad load() {
        return engine.load();
    }

    @Override
    public String addTenant(String name, TenantQuota quota) {
        Objects.requireNonNull(quota, "quota");
        String text = credentials.addTenant(name, quota);
        LOG.info("natgw forwarder: tenant {} added ({} servers, {} relays, {} bytes/s)", name, quota.servers(), quota
                .relays(), quota.bytesPerSecond());
        return text;
    }

    @Override
    public boolean removeTenant(String name) {
        boolean removed = credentials.removeTenant(name);
        if (removed) {
            LOG.info("natgw forwarder: tenant {} removed", name);
        }
        return removed;
    }

    @Override
    public List<TenantStatus> tenants() {
        return engine.tenants();
    }

    @Override
    public void allow(String key, String tenant) {
        credentials.allow(key, tenant);
        LOG.info("natgw forwarder: key {} allow-listed{}", key, tenant == null || tenant.isBlank()
                ? ""
                : " for "
                        + tenant);
    }

    @Override
    public boolean revoke(String key) {
        boolean revoked = credentials.revoke(key);
        if (revoked) {
            LOG.info("natgw forwarder: key {} revoked", key);
        }
        return revoked;
    }

    @Override
    public List<AllowedKey> allowed() {
        return engine.allowed();
    }
}
