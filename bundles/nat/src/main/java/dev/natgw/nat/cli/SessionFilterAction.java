package dev.natgw.nat.cli;

import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.SessionFilter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * The session filter options that {@code nat:sessions} and {@code nat:session-clear} share; Karaf injects
 * options and references declared in a superclass.
 */
abstract class SessionFilterAction implements Action {

    @Reference
    NatAdminService natService;

    @Option(name = "--protocol", aliases = "-p", description = "Only sessions of this protocol: tcp, udp or icmp")
    @Completion(value = StringsCompleter.class, values = {"tcp", "udp", "icmp"})
    String protocol;

    @Option(name = "--inside", aliases = "-i", description = "Only sessions of this inside host address")
    String inside;

    @Option(name = "--remote", aliases = "-r", description = "Only sessions with this remote address")
    String remote;

    @Option(name = "--pool", description = "Only sessions whose outside endpoint comes from this pool")
    @Completion(PoolNameCompleter.class)
    String pool;

    /** {@return the filter the options make; refuses bad addresses or protocols, naming the option} */
    SessionFilter filter() {
        return Args.filter(protocol, inside, remote, pool);
    }
}
