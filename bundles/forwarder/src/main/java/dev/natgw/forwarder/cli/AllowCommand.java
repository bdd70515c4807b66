package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderAdminService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code fwd:allow}: allow-lists a server key. */
@Command(scope = "fwd", name = "allow", description = "Allow-lists a server key: it registers without a tenant"
        + " credential, counted against the tenant given, if any.")
@Service
public class AllowCommand implements Action {

    @Reference
    ForwarderAdminService admin;

    @Argument(index = 0, name = "KEY", description = "The server's key (ed25519-...), as natgw-traversal keygen"
            + " prints it", required = true)
    @Completion(RegisteredKeyCompleter.class)
    String key;

    @Option(name = "--tenant", description = "The tenant whose quota the server counts against")
    @Completion(TenantNameCompleter.class)
    String tenant = "";

    @Override
    public Object execute() {
        admin.allow(key, tenant);
        System.out.println("Key " + key + " allow-listed" + (tenant.isBlank() ? "" : " for tenant " + tenant) + ".");
        return null;
    }
}
