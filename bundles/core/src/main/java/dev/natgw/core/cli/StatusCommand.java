package dev.natgw.core.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.registry.RegistryFace;
import dev.natgw.api.registry.RegistryFaceInfo;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.DpdkInfo;
import dev.natgw.api.status.JdkInfo;
import dev.natgw.api.status.ServiceStatus;
import dev.natgw.api.status.StatusService;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code natgw:status}: the appliance's bundles, services, JDK and DPDK, as tables or JSON. */
@Command(scope = "natgw", name = "status", description = "Shows natgw's bundles, which natgw services are up,"
        + " the JDK, and whether DPDK's libraries are installed.")
@Service
public class StatusCommand implements Action {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    @Reference
    StatusService statusService;

    /** The forwarder, if it runs: its listener and certificate fingerprint are part of the status. */
    @Reference(optional = true)
    ForwarderService forwarder;

    /** The registry's HTTP face, if it runs: where it is reached and its HTTPS certificate's fingerprint. */
    @Reference(optional = true)
    RegistryFace registryFace;

    @Option(name = "--json", description = "Print one JSON document instead of tables")
    boolean json;

    @Option(name = "--no-format", description = "Plain tables without borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        ApplianceStatus status = statusService.status();
        ForwarderInfo fwd = forwarder == null ? null : forwarder.info();
        RegistryFaceInfo face = registryFace == null ? null : registryFace.info();
        if (json) {
            System.out.println(JSON.writeValueAsString(StatusJson.of(status, fwd, face)));
        } else {
            print(status, fwd, face, System.out, noFormat);
        }
        return null;
    }

    static void print(ApplianceStatus status, ForwarderInfo fwd, RegistryFaceInfo face, PrintStream out,
            boolean noFormat) {
        JdkInfo jdk = status.jdk();
        out.println("natgw " + status.version());
        out.println("JDK    " + jdk.version() + " (" + jdk.vendor() + ", " + jdk.home() + "), native access "
                + (jdk.nativeAccess() ? "enabled" : "NOT enabled: start with --enable-native-access=ALL-UNNAMED"));
        DpdkInfo dpdk = status.dpdk();
        out.println("DPDK   " + (dpdk.found()
                ? dpdk.version() + " (" + String.join(", ", dpdk.libraries()) + ")"
                : "not found") + (dpdk.hint().isEmpty() ? "" : "; " + dpdk.hint()));
        if (fwd != null) {
            InetSocketAddress l = fwd.listen();
            out.println("Forwarder " + fwd.state() + " on " + l.getAddress().getHostAddress() + ":" + l.getPort()
                    + (fwd.tls() ? ", TLS, certificate " + fwd.fingerprint() : ", plain TCP"));
        }
        if (face != null) {
            out.println("Registry face " + face.describe());
        }
        out.println();

        ShellTable bundles = new ShellTable();
        bundles.column("ID").alignRight();
        bundles.column("Bundle");
        bundles.column("Version");
        bundles.column("State");
        for (BundleStatus b : status.bundles()) {
            bundles.addRow().addContent(b.id(), b.symbolicName(), b.version(), b.state());
        }
        bundles.print(out, !noFormat);
        out.println();

        ShellTable services = new ShellTable();
        services.column("Service");
        services.column("State");
        services.column("Provided by");
        for (ServiceStatus s : status.services()) {
            services.addRow().addContent(s.shortName(), s.up() ? "up" : "down",
                    s.providers().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        services.print(out, !noFormat);
    }
}
