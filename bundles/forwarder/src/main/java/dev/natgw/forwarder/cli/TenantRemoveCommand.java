package dev.natgw.forwarder.cli;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import dev.natgw.api.forwarder.ForwarderAdminService;

/** {@code fwd:tenant-remove}: removes a tenant; its servers are disconnected at once. */
@Command(scope = "fwd", name = "tenant-remove", description = "Removes a tenant: its credential no longer"
        + " registers, its servers are disconnected at once, and keys allow-listed for it lose their admission.")
@Service
public class TenantRemoveCommand implements Action {

    @Reference
    ForwarderAdminService admin;

    @Argument(index = 0, name = "NAME", description = "The tenant's name", required = true)
    @Completion(TenantNameCompleter.class)
    String name;

    @Override
    public Object execute() {
        if (!admin.removeTenant(name)) {
            throw new IllegalArgumentException("no tenant " + name);
        }
        System.out.println("Tenant " + name + " removed.");
        return null;
    }
}
