package dev.natgw.nat.cli;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.Protocol;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * {@code nat:static-remove}: removes a port forward and deletes its configuration; sessions made through it live on
 * until they end.
 */
@Command(scope = "nat", name = "static-remove", description = "Removes a static mapping and deletes its"
        + " configuration in etc/; sessions already made through it live until they expire or close.")
@Service
public class StaticRemoveCommand implements Action {

    @Reference
    NatAdminService natService;

    @Argument(index = 0, name = "PROTOCOL", description = "tcp or udp", required = true)
    @Completion(value = StringsCompleter.class, values = {"tcp", "udp"})
    String protocol;

    @Argument(index = 1, name = "GLOBAL", description = "The mapping's outside endpoint a.b.c.d:port", required = true)
    @Completion(StaticGlobalCompleter.class)
    String global;

    @Override
    public Object execute() {
        Protocol p = Args.protocol("PROTOCOL", protocol);
        Endpoint g = Args.endpoint("GLOBAL", global);
        if (!natService.deleteStaticMapping(p, g)) {
            throw new IllegalArgumentException("GLOBAL: there is no static " + p + " mapping of " + g);
        }
        System.out.println("Static mapping removed: " + p + " " + g);
        return null;
    }
}
