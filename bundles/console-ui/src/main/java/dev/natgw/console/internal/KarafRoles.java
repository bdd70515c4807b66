package dev.natgw.console.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.karaf.jaas.modules.BackingEngineService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's roles as Karaf's JAAS realm holds them now, read through the realm's backing engines (what
 * {@code jaas:user-list} reads), so that a user removed or stripped of a role by {@code jaas:user-delete} or
 * {@code jaas:role-delete} is seen at the next look-up. Each look-up finds the services afresh and releases them, so
 * nothing is held across a JAAS bundle's update. A realm none of whose login modules has a backing engine (LDAP, say)
 * cannot tell.
 */
public final class KarafRoles implements RoleLookup {
    private static final Logger LOG = LoggerFactory.getLogger(KarafRoles.class);

    private final BundleContext context;
    /** Whether the last look-up could not tell, so that the warning is logged once per change, not per look-up. */
    private volatile boolean blind;
    private final String realm;

    /**
     * @param context the console bundle's context
     * @param realm the realm's name
     */
    public KarafRoles(BundleContext context, String realm) {
        this.context = context;
        this.realm = realm;
    }

    @Override
    public Optional<Set<String>> roles(String user) {
        List<ServiceReference<?>> held = new ArrayList<>();
        try {
            JaasRealm chosen = null;
            for (ServiceReference<JaasRealm> ref : context.getServiceReferences(JaasRealm.class, null)) {
                JaasRealm r = context.getService(ref);
                if (r == null) {
                    continue;
                }
                held.add(ref);
                // of several realms of one name, Karaf's JAAS configuration uses the one of highest rank
                if (realm.equals(r.getName()) && (chosen == null || r.getRank() > chosen.getRank())) {
                    chosen = r;
                }
            }
            if (chosen == null) {
                return cannotTell("there is no JAAS realm named " + realm);
            }
            Collection<ServiceReference<BackingEngineFactory>> refs = context.getServiceReferences(
                    BackingEngineFactory.class, null);
            List<BackingEngineFactory> factories = new ArrayList<>();
            for (ServiceReference<BackingEngineFactory> ref : refs) {
                BackingEngineFactory f = context.getService(ref);
                if (f != null) {
                    held.add(ref);
                    factories.add(f);
                }
            }
            BackingEngineService engines = new BackingEngineService();
            engines.setEngineFactories(factories);
            boolean told = false;
            Set<String> roles = new TreeSet<>();
            for (AppConfigurationEntry entry : chosen.getEntries()) {
                BackingEngine engine = engines.get(entry);
                if (engine == null) {
                    continue;
                }
                told = true;
                UserPrincipal principal = engine.lookupUser(user);
                if (principal != null) {
                    for (RolePrincipal role : engine.listRoles(principal)) {
                        roles.add(role.getName());
                    }
                }
            }
            if (!told) {
                return cannotTell("none of its login modules has a backing engine to ask");
            }
            blind = false;
            return Optional.of(roles);
        } catch (InvalidSyntaxException | RuntimeException e) {
            return cannotTell(e.toString());
        } finally {
            for (ServiceReference<?> ref : held) {
                try {
                    context.ungetService(ref);
                } catch (IllegalStateException stopping) {
                    // the console's bundle stops: its services go with it
                }
            }
        }
    }

    private Optional<Set<String>> cannotTell(String why) {
        if (!blind) {
            blind = true;
            LOG.warn("natgw console: cannot re-check the roles of logged-in users in realm {}: {}; their sessions end"
                    + " by their idle timeout only", realm, why);
        }
        return Optional.empty();
    }
}
