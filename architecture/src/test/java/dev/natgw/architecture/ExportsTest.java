package dev.natgw.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * Only the contract bundles export packages (ARCHITECTURE.md: implementation bundles export nothing, so updating
 * one rebinds services and refreshes no other bundle). Read from the manifests bnd wrote.
 */
class ExportsTest {
    /**
     * Bundle symbolic names that may export, and why: the contracts, the state keeper's contract, and the traversal
     * library that servers and clients outside the appliance embed (it is not installed in the appliance).
     */
    private static final Map<String, String> MAY_EXPORT = Map.of(
            "dev.natgw.api", "the contracts",
            "dev.natgw.state", "the state keeper's contract (dev.natgw.api.state)",
            "dev.natgw.traversal",
            "client library for servers and clients behind a NAT, not installed in the appliance",
            "dev.natgw.protocol", "the traversal wire protocol's codec, a library embedded by its users");

    @Test
    void onlyContractBundlesExport() throws IOException {
        Map<String, String> exports = new TreeMap<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/MANIFEST.MF"))) {
            try (InputStream in = url.openStream()) {
                var attrs = new Manifest(in).getMainAttributes();
                String bsn = attrs.getValue("Bundle-SymbolicName");
                if (bsn == null || !bsn.startsWith("dev.natgw")) {
                    continue;
                }
                bsn = bsn.split(";")[0].trim();
                String export = attrs.getValue("Export-Package");
                exports.put(bsn, export == null ? "" : export);
            }
        }
        assertThat(exports).as("natgw bundles on the class path").containsKeys("dev.natgw.api", "dev.natgw.nat",
                "dev.natgw.dataplane.dpdk", "dev.natgw.forwarder", "dev.natgw.registry", "dev.natgw.console");
        List<String> wrong = new ArrayList<>();
        exports.forEach((bsn, export) -> {
            if (!export.isBlank() && !MAY_EXPORT.containsKey(bsn)) {
                wrong.add(bsn + " exports " + export);
            }
        });
        assertThat(wrong).as("implementation bundles export nothing (Export-Package: !*)").isEmpty();
    }
}
