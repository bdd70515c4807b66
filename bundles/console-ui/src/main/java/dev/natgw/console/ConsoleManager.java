package dev.natgw.console;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.nat.EventExportService;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryFace;
import dev.natgw.api.status.StatusService;
import dev.natgw.console.internal.ConsoleConfig;
import dev.natgw.console.internal.ConsoleServer;
import dev.natgw.console.internal.ConsoleServlet;
import dev.natgw.console.internal.ConsoleSettings;
import dev.natgw.console.internal.GuardedLogin;
import dev.natgw.console.internal.JaasAuthenticator;
import dev.natgw.console.internal.KarafRoles;
import dev.natgw.console.internal.LoginThrottle;
import dev.natgw.console.internal.RoleLookup;
import dev.natgw.console.internal.ServiceBridge;
import dev.natgw.console.internal.SessionGate;
import dev.natgw.console.internal.SessionGuard;
import dev.natgw.console.internal.Ticker;
import dev.natgw.console.metrics.MetricsServlet;
import dev.natgw.console.metrics.NatgwMetrics;
import dev.natgw.console.model.RateHistory;
import dev.natgw.console.views.AppShell;
import dev.natgw.console.views.BundlesView;
import dev.natgw.console.views.DataplaneView;
import dev.natgw.console.views.ForwarderView;
import dev.natgw.console.views.LoginView;
import dev.natgw.console.views.MainLayout;
import dev.natgw.console.views.OverviewView;
import dev.natgw.console.views.RegistryView;
import dev.natgw.console.views.SessionsView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console: starts its Jetty with Vaadin and /metrics on activation, stops it (and every thread it started)
 * on deactivation. Every natgw service is an optional, dynamic reference: the console runs whatever is there, and a
 * view whose service is absent says so until it appears.
 */
@Component(immediate = true, configurationPid = "dev.natgw.console", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ConsoleConfig.class)
public class ConsoleManager {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleManager.class);

    private final ServiceBridge services = new ServiceBridge();
    /** Read by /metrics only, so it stays out of the views' bridge. */
    private volatile EventExportService export;
    private RoleLookup roles;
    private BundleContext context;
    private ConsoleSettings settings;
    private Ticker ticker;
    private ConsoleServer server;
    private SessionGate gate;

    /** For DS: the users' roles are re-checked in Karaf's JAAS realm. */
    public ConsoleManager() {
        this(null);
    }

    /**
     * Outside OSGi.
     *
     * @param roles where the users' roles are re-checked, or null for Karaf's JAAS realm (or none outside OSGi)
     */
    ConsoleManager(RoleLookup roles) {
        this.roles = roles;
    }

    /**
     * Checks the configuration and starts the console.
     *
     * @param config the configuration
     * @param bundle the console bundle's context, or null outside OSGi
     * @throws Exception if the configuration is refused (naming the field) or Jetty cannot start
     */
    // one method of this name only: with an overload taking the configuration alone, SCR calls that one and the
    // bundle context (and with it the realm's role look-up) is lost
    @Activate
    public void activate(ConsoleConfig config, BundleContext bundle) throws Exception {
        this.context = bundle;
        settings = ConsoleSettings.of(config);
        start();
    }

    /**
     * Applies a new configuration; a bad one is refused (naming the field) and the running console keeps its own.
     *
     * @param config the configuration
     * @throws Exception if Jetty cannot start with the new settings
     */
    @Modified
    public void modified(ConsoleConfig config) throws Exception {
        ConsoleSettings next;
        try {
            next = ConsoleSettings.of(config);
        } catch (IllegalArgumentException bad) {
            LOG.error("natgw console: configuration dev.natgw.console refused, keeping {}: {}", settings,
                    bad.getMessage());
            return;
        }
        stop();
        settings = next;
        start();
    }

    /** Stops the console. */
    @Deactivate
    public void deactivate() {
        stop();
        LOG.info("natgw console stopped");
    }

    private void start() throws Exception {
        ClassLoader loader = ConsoleManager.class.getClassLoader();
        GuardedLogin authenticator = new GuardedLogin(
                new JaasAuthenticator(settings.realm(), settings.roles(), loader),
                new LoginThrottle(settings.loginMaxFailures(), Duration.ofSeconds(settings.loginLockoutSeconds()),
                        settings.loginTrackedMax(), System::nanoTime));
        RateHistory history = new RateHistory();
        ticker = new Ticker(1000);
        ticker.subscribe(() -> {
            NatService nat = services.nat();
            dev.natgw.api.nat.NatCounters counters = null;
            long sessions = 0;
            if (nat != null) {
                try {
                    counters = nat.counters();
                    sessions = nat.sessionCount();
                } catch (RuntimeException gone) {
                    counters = null;
                }
            }
            history.record(counters, sessions, System.nanoTime(), System.currentTimeMillis());
        });
        gate = new SessionGate(settings.maxSessions(), settings.maxSessionsPerSource());
        RoleLookup lookup = roleLookup();
        AtomicInteger ticks = new AtomicInteger();
        List<String> allowed = settings.roles();
        int every = settings.sessionRecheckSeconds();
        SessionGate sessions = gate;
        ticker.subscribe(() -> {
            if (ticks.incrementAndGet() % every == 0) {
                try {
                    sessions.recheck(lookup, allowed);
                } catch (LinkageError jaasGone) {
                    // the JAAS bundles were refreshed under the console: the next start looks them up again
                    LOG.debug("natgw console: role re-check failed", jaasGone);
                }
            }
        });
        ConsoleServlet servlet = new ConsoleServlet(services, ticker, history, authenticator, gate,
                settings.sessionTimeoutMinutes() * 60, loader, settings.sessionsGridMax(), LoginView.class);
        MetricsServlet metrics = new MetricsServlet(new NatgwMetrics(services, () -> export),
                settings.metricsAuth() ? authenticator : null);
        try {
            server = new ConsoleServer(settings, servlet, metrics, new SessionGuard(gate,
                    settings.sessionLoginTimeoutSeconds()), loader,
                    List.of(AppShell.class, MainLayout.class,
                            LoginView.class, OverviewView.class, SessionsView.class, DataplaneView.class,
                            ForwarderView.class, RegistryView.class, BundlesView.class));
        } catch (Exception e) {
            ticker.close();
            ticker = null;
            throw e;
        }
        LOG.info("natgw console listening on {}", settings);
    }

    private void stop() {
        // the ticker first: a tick that pushes to the views while Jetty and Atmosphere stop under it could block on
        // a broadcast that never completes, and its thread outlived the bundle (seen on a loaded machine)
        if (ticker != null) {
            ticker.close();
            ticker = null;
        }
        if (server != null) {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("natgw console: Jetty did not stop cleanly", e);
            }
            server = null;
        }
    }

    private RoleLookup roleLookup() {
        if (roles != null) {
            return roles;
        }
        if (context == null) {
            return RoleLookup.NONE;
        }
        try {
            return new KarafRoles(context, settings.realm());
        } catch (LinkageError noKarafJaas) {
            LOG.warn("natgw console: Karaf's JAAS modules are not there, so logged-in users' roles are not re-checked;"
                    + " sessions end by their idle timeout only");
            return RoleLookup.NONE;
        }
    }

    /** {@return the sessions of the running console, or null} */
    SessionGate sessions() {
        return gate;
    }

    /** {@return the running server, or null} */
    ConsoleServer server() {
        return server;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindNat(NatService s) {
        services.nat(s);
    }

    void unbindNat(NatService s) {
        if (ServiceBridge.same(services.nat(), s)) {
            services.nat(null);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDataplane(Dataplane s) {
        services.dataplane(s);
    }

    void unbindDataplane(Dataplane s) {
        if (ServiceBridge.same(services.dataplane(), s)) {
            services.dataplane(null);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindForwarder(ForwarderService s) {
        services.forwarder(s);
    }

    void unbindForwarder(ForwarderService s) {
        if (ServiceBridge.same(services.forwarder(), s)) {
            services.forwarder(null);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(Registry s) {
        services.registry(s);
    }

    void unbindRegistry(Registry s) {
        if (ServiceBridge.same(services.registry(), s)) {
            services.registry(null);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistryFace(RegistryFace s) {
        services.registryFace(s);
    }

    void unbindRegistryFace(RegistryFace s) {
        if (ServiceBridge.same(services.registryFace(), s)) {
            services.registryFace(null);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindExport(EventExportService s) {
        export = s;
    }

    void unbindExport(EventExportService s) {
        if (ServiceBridge.same(export, s)) {
            export = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindStatus(StatusService s) {
        services.status(s);
    }

    void unbindStatus(StatusService s) {
        if (ServiceBridge.same(services.status(), s)) {
            services.status(null);
        }
    }
}
