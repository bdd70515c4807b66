package dev.natgw.core;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.state.StateKeeper;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.JdkInfo;
import dev.natgw.api.status.ServiceStatus;
import dev.natgw.api.status.StatusService;
import dev.natgw.core.internal.BundleStates;
import dev.natgw.core.internal.DpdkProbe;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's {@link StatusService}: reads the framework, the JVM and the file system on each call.
 *
 * <p>Holds no state but its configuration; every method is safe from any thread.
 */
@Component(service = StatusService.class, configurationPid = "dev.natgw.status")
@Designate(ocd = StatusConfig.class)
public class StatusManager implements StatusService {

    /** Symbolic names of natgw's own bundles start with this. */
    public static final String BUNDLE_PREFIX = "dev.natgw.";

    /** The service contracts whose presence the status reports, in the order it lists them. */
    public static final List<String> CONTRACTS = List.of(Dataplane.class.getName(), PacketStage.class.getName(),
            NatService.class.getName(), NatAdminService.class.getName(), ForwarderService.class.getName(),
            Registry.class.getName(), StateKeeper.class.getName(), StatusService.class.getName());

    private static final Logger LOG = LoggerFactory.getLogger(StatusManager.class);

    private final BundleContext context;
    private volatile DpdkProbe dpdk;

    @Activate
    public StatusManager(BundleContext context, StatusConfig config) {
        this.context = context;
        this.dpdk = DpdkProbe.forSystem(config.dpdk_library_path());
        LOG.info("natgw status service {} active", context.getBundle().getVersion());
    }

    @Modified
    void modified(StatusConfig config) {
        dpdk = DpdkProbe.forSystem(config.dpdk_library_path());
    }

    @Override
    public ApplianceStatus status() {
        List<BundleStatus> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String name = b.getSymbolicName();
            if (name != null && name.startsWith(BUNDLE_PREFIX)) {
                bundles.add(new BundleStatus(b.getBundleId(), name, b.getVersion().toString(),
                        BundleStates.name(b.getState()), b.getLastModified()));
            }
        }
        bundles.sort(Comparator.comparingLong(BundleStatus::id));

        List<ServiceStatus> services = new ArrayList<>(CONTRACTS.size());
        for (String contract : CONTRACTS) {
            services.add(new ServiceStatus(contract, providers(contract)));
        }
        return new ApplianceStatus(context.getBundle().getVersion().toString(), Instant.now(), bundles, services,
                jdk(), dpdk.probe());
    }

    private List<Long> providers(String contract) {
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(contract, null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("no filter was given, yet the framework refused it", e);
        } catch (IllegalStateException stopping) {
            return List.of();
        }
        if (refs == null) {
            return List.of();
        }
        // ServiceReference's natural order is ascending ranking; the highest ranked provider comes first.
        Arrays.sort(refs, Comparator.reverseOrder());
        List<Long> ids = new ArrayList<>(refs.length);
        for (ServiceReference<?> ref : refs) {
            Bundle provider = ref.getBundle();
            if (provider != null) {
                ids.add(provider.getBundleId());
            }
        }
        return ids;
    }

    static JdkInfo jdk() {
        return new JdkInfo(Runtime.version().toString(), System.getProperty("java.vendor", "unknown"),
                System.getProperty("java.home", "unknown"), StatusManager.class.getModule().isNativeAccessEnabled());
    }
}
