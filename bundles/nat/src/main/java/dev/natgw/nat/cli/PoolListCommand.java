package dev.natgw.nat.cli;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortAllocation;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code nat:pools}: the address pools, their behaviours and how much of each is in use. */
@Command(scope = "nat", name = "pools", description = "Lists the NAT address pools: addresses, ports, mapping and"
        + " filtering behaviour (RFC 4787: EIM/APDM, EIF/ADF/APDF), quota, ports in use (of them held down after their session ended), free, sessions,"
        + " and how ports are allocated (per session, port blocks, deterministic) with blocks in use of all.")
@Service
public class PoolListCommand extends NatListAction {

    @Override
    public Object execute() {
        List<PoolDefinition> pools = natService.pools();
        Map<String, PoolUsage> usage = new HashMap<>();
        // matched by name, not position, so a pool added between the two calls cannot shift the rows
        for (PoolUsage u : natService.poolUsage()) {
            usage.put(u.pool(), u);
        }
        PrintStream out = System.out;
        if (json) {
            out.println(NatJson.write(
                    new NatJson.Pools(pools.stream().map(p -> NatJson.Pool.of(p, usage.get(p.name()))).toList())));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Addresses");
        table.column("Ports");
        table.column("Mapping");
        table.column("Filtering");
        table.column("Paired");
        table.column("Quota").alignRight();
        table.column("Sessions/host").alignRight();
        table.column("Maps/s").alignRight();
        table.column("Inbound/map").alignRight();
        table.column("In use").alignRight();
        table.column("Held").alignRight();
        table.column("Free").alignRight();
        table.column("Total").alignRight();
        table.column("Used").alignRight();
        table.column("TCP").alignRight();
        table.column("UDP").alignRight();
        table.column("ICMP").alignRight();
        table.column("Allocation");
        table.column("Blocks").alignRight();
        for (PoolDefinition p : pools) {
            PoolUsage u = usage.get(p.name());
            table.addRow().addContent(p.name(),
                    p.addresses().stream().map(Object::toString).collect(Collectors.joining(",")),
                    p.portMin() + "-" + p.portMax(), abbreviation(p.mapping()), abbreviation(p.filtering()),
                    p.pairedPooling() ? "yes" : "no", limit(p.perHostPortQuota()), limit(p.limits().sessionsPerHost()),
                    p.limits().mappingsPerSecond() == 0
                            ? "none"
                            : p.limits().mappingsPerSecond() + " (" + p.limits().mappingBurst() + ")",
                    limit(p.limits().inboundSessionsPerMapping()),
                    u == null ? "-" : u.portsInUse(), u == null ? "-" : u.portsHeld(),
                    u == null ? "-" : u.portsFree(), u == null ? "-" : u.portsTotal(),
                    u == null ? "-" : String.format(Locale.ROOT, "%.1f%%", NatJson.percent(u)),
                    u == null ? "-" : u.tcpSessions(),
                    u == null ? "-" : u.udpSessions(), u == null ? "-" : u.icmpSessions(), allocation(p.allocation()),
                    !p.allocation().inBlocks()
                            ? "-"
                            : (u == null ? "-" : u.blocksInUse()) + "/" + NatJson
                                    .blocksTotal(p));
        }
        // ShellTable prints its empty-table text only with borders; say it in both forms
        if (pools.isEmpty()) {
            out.println("no pools");
        } else {
            table.print(out, !noFormat);
        }
        return null;
    }

    /** The mode, with the block size and, for port blocks, the most blocks a host may hold. */
    static String allocation(PortAllocation a) {
        return switch (a.mode()) {
            case PER_SESSION -> "per-session";
            case PORT_BLOCKS -> "blocks " + a.blockSize() + " x" + a.blocksPerHost() + "/host";
            case DETERMINISTIC -> "deterministic " + a.blockSize();
        };
    }

    private static Object limit(int v) {
        return v == 0 ? "none" : v;
    }

    /** RFC 4787's abbreviations, which keep the table narrow and are what NAT people say. */
    static String abbreviation(MappingBehavior m) {
        return switch (m) {
            case ENDPOINT_INDEPENDENT -> "EIM";
            case ADDRESS_AND_PORT_DEPENDENT -> "APDM";
        };
    }

    static String abbreviation(FilteringBehavior f) {
        return switch (f) {
            case ENDPOINT_INDEPENDENT -> "EIF";
            case ADDRESS_DEPENDENT -> "ADF";
            case ADDRESS_AND_PORT_DEPENDENT -> "APDF";
        };
    }
}
