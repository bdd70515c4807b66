package dev.natgw.nat.cli;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * {@code nat:static-add}: a port forward from a global endpoint to an inside server, kept as the configuration
 * {@code dev.natgw.nat.static~PROTOCOL-ADDRESS-PORT} so it survives a restart.
 */
@Command(scope = "nat", name = "static-add", description = "Adds a static mapping (port forward): outside hosts"
        + " reaching GLOBAL reach INSIDE. TCP or UDP. Kept in etc/ (dev.natgw.nat.static~NAME), so it survives a restart.")
@Service
public class StaticAddCommand implements Action {

    @Reference
    NatAdminService natService;

    @Argument(index = 0, name = "PROTOCOL", description = "tcp or udp", required = true)
    @Completion(value = StringsCompleter.class, values = {"tcp", "udp"})
    String protocol;

    @Argument(index = 1, name = "GLOBAL", description = "The outside endpoint a.b.c.d:port", required = true)
    String global;

    @Argument(index = 2, name = "INSIDE", description = "The inside endpoint a.b.c.d:port", required = true)
    String inside;

    @Override
    public Object execute() {
        Protocol p = Args.protocol("PROTOCOL", protocol);
        if (p == Protocol.ICMP) {
            throw new IllegalArgumentException("PROTOCOL must be tcp or udp, was \"" + protocol + "\"");
        }
        Endpoint g = Args.endpoint("GLOBAL", global);
        Endpoint i = Args.endpoint("INSIDE", inside);
        if (g.port() == 0) {
            throw new IllegalArgumentException("GLOBAL \"" + global + "\" needs a port 1..65535");
        }
        if (i.port() == 0) {
            throw new IllegalArgumentException("INSIDE \"" + inside + "\" needs a port 1..65535");
        }
        natService.saveStaticMapping(new StaticMapping(p, g, i));
        System.out.println("Static mapping added: " + p + " " + g + " -> " + i);
        return null;
    }
}
