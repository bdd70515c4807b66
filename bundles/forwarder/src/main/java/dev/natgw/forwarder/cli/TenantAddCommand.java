package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.TenantQuota;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code fwd:tenant-add}: adds a tenant and prints its credential, once. */
@Command(scope = "fwd", name = "tenant-add", description = "Adds a tenant with its quotas and prints its credential"
        + " once: the forwarder keeps only its public key. The tenant's servers give it to"
        + " natgw-traversal expose --token.")
@Service
public class TenantAddCommand extends AdmissionAction {

    /** The JSON document. */
    record IssuedJson(String tenant, String credential, int servers, int relays, long bytesPerSecond) {
    }

    @Argument(index = 0, name = "NAME", description = "The tenant's name: 1..64 of a-z 0-9 . _ -", required = true)
    String name;

    @Option(name = "--servers", description = "Servers registered at once (default 10)")
    int servers = 10;

    @Option(name = "--relays", description = "Clients waiting or relayed at once, all its servers (default 100)")
    int relays = 100;

    @Option(name = "--rate", description = "Relayed bytes per second, both ways, all its relays; a number with"
            + " an optional k, m or g (1024-based); 0 for no bound (default 0)")
    String rate = "0";

    @Override
    public Object execute() throws Exception {
        TenantQuota quota = new TenantQuota(servers, relays, bytes(rate));
        String credential = admin.addTenant(name, quota);
        if (json) {
            System.out.println(Json.write(new IssuedJson(name, credential, quota.servers(), quota.relays(), quota
                    .bytesPerSecond())));
            return null;
        }
        System.out.println("Tenant " + name + " added: " + quota.servers() + " servers, " + quota.relays()
                + " relays, " + (quota.bytesPerSecond() == 0 ? "no byte rate" : quota.bytesPerSecond() + " bytes/s")
                + ".");
        System.out.println("Its credential, shown this once (the forwarder keeps only its public key):");
        System.out.println(credential);
        return null;
    }

    /** Parses 1000, 64k, 10m, 1g. */
    static long bytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--rate must be a number of bytes per second, such as 65536 or 64k,"
                    + " was \"" + text + "\"");
        }
    }
}
