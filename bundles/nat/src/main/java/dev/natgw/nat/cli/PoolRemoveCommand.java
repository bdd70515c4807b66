package dev.natgw.nat.cli;

import dev.natgw.api.nat.NatAdminService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code nat:pool-remove}: stops a pool from taking new sessions and deletes its configuration; its sessions live on
 * until they end.
 */
@Command(scope = "nat", name = "pool-remove", description = "Removes a NAT address pool and deletes its"
        + " configuration in etc/: no new session uses it, existing ones live until they expire or close.")
@Service
public class PoolRemoveCommand implements Action {

    @Reference
    NatAdminService natService;

    @Argument(index = 0, name = "NAME", description = "The pool's name", required = true)
    @Completion(PoolNameCompleter.class)
    String name;

    @Override
    public Object execute() {
        if (!natService.deletePool(name)) {
            throw new IllegalArgumentException("NAME: there is no pool \"" + name + "\"");
        }
        System.out.println("Pool " + name + " removed; its sessions live on until they expire or close");
        return null;
    }
}
