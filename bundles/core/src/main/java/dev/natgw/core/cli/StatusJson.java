package dev.natgw.core.cli;

import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.registry.RegistryFaceInfo;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.DpdkInfo;
import dev.natgw.api.status.JdkInfo;
import dev.natgw.api.status.ServiceStatus;
import java.util.List;

/**
 * The JSON shape of {@code natgw:status --json}: the status records plus the derived flags a script wants
 * ({@code active}, {@code up}) so it need not know OSGi state names, the forwarder's listener when it runs, and how
 * the registry's HTTP face is reached when it runs.
 */
record StatusJson(String version, String taken, List<Bundle> bundles, List<Service> services, JdkInfo jdk,
        DpdkInfo dpdk, Forwarder forwarder, RegistryFace registryFace) {

    record Bundle(long id, String symbolicName, String version, String state, boolean active) {
    }

    record Service(String contract, String name, boolean up, List<Long> providers) {
    }

    /** The forwarder's listener: TLS or not, and its certificate's fingerprint (null without TLS). */
    record Forwarder(String state, String listen, boolean tls, String fingerprint) {
    }

    /**
     * The registry's HTTP face: the addresses the HTTP server listens on, whether any is beyond loopback, and its
     * HTTPS connector's port and certificate fingerprint (0 and null without HTTPS).
     */
    record RegistryFace(List<String> addresses, boolean beyondLoopback, boolean https, int httpsPort,
            String fingerprint, boolean generated) {
    }

    static StatusJson of(ApplianceStatus s, ForwarderInfo f, RegistryFaceInfo face) {
        return new StatusJson(s.version(), s.taken().toString(),
                s.bundles().stream().map(StatusJson::bundle).toList(),
                s.services().stream().map(StatusJson::service).toList(), s.jdk(), s.dpdk(), f == null
                        ? null
                        : new Forwarder(f.state().name(), f.listen().getAddress().getHostAddress() + ":" + f.listen()
                                .getPort(), f.tls(), f.fingerprint()),
                face == null
                        ? null
                        : new RegistryFace(face.addresses(), face.beyondLoopback(), face.https(),
                                face.httpsPort(), face.fingerprint(), face.generated()));
    }

    private static Bundle bundle(BundleStatus b) {
        return new Bundle(b.id(), b.symbolicName(), b.version(), b.state(), b.active());
    }

    private static Service service(ServiceStatus s) {
        return new Service(s.contract(), s.shortName(), s.up(), s.providers());
    }
}
