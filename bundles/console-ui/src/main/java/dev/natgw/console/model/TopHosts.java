package dev.natgw.console.model;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inside hosts with the most sessions and the most outside ports, counted over one bounded copy of the sessions
 * ({@link NatService#sessions} with a limit, the Sessions grid's query): past the limit the figures are those of a
 * sample, and the snapshot says so.
 */
public final class TopHosts {
    private TopHosts() {
    }

    /**
     * One inside host.
     *
     * @param address the inside address, dotted
     * @param sessions its sessions
     * @param ports the distinct outside ports (per protocol and outside address) its sessions hold
     */
    public record Host(String address, long sessions, long ports) {
    }

    /**
     * The top hosts.
     *
     * @param bySessions the most sessions first, ties by address
     * @param byPorts the most ports first, ties by address
     * @param counted the sessions counted
     * @param sample whether there were more sessions than counted
     */
    public record Snapshot(List<Host> bySessions, List<Host> byPorts, int counted, boolean sample) {
    }

    /**
     * Reads and counts.
     *
     * @param nat the NAT service, or null while absent
     * @param limit the most sessions copied
     * @param top how many hosts each list keeps
     * @return the figures, or why there are none
     */
    public static Reading<Snapshot> read(NatService nat, int limit, int top) {
        return Reading.of(nat, "The NAT translator (NatService)",
                n -> count(n.sessions(SessionFilter.ALL, limit), limit, top));
    }

    /**
     * Counts sessions per inside host.
     *
     * @param sessions the sessions copied
     * @param limit the limit they were copied with
     * @param top how many hosts each list keeps
     * @return the top hosts
     */
    public static Snapshot count(List<SessionInfo> sessions, int limit, int top) {
        Map<Integer, long[]> perHost = new HashMap<>();
        Map<Integer, Set<PortKey>> ports = new HashMap<>();
        for (SessionInfo s : sessions) {
            int host = s.inside().address();
            perHost.computeIfAbsent(host, k -> new long[1])[0]++;
            ports.computeIfAbsent(host, k -> new HashSet<>()).add(new PortKey(s.protocol(), s.outside()));
        }
        List<Host> hosts = perHost.entrySet().stream()
                .map(e -> new Host(Ipv4.format(e.getKey()), e.getValue()[0], ports.get(e.getKey()).size())).toList();
        Comparator<Host> byAddress = Comparator.comparing(h -> Integer.toUnsignedLong(Ipv4.parse(h.address())));
        List<Host> bySessions = hosts.stream()
                .sorted(Comparator.comparingLong(Host::sessions).reversed().thenComparing(byAddress)).limit(top)
                .toList();
        List<Host> byPorts = hosts.stream()
                .sorted(Comparator.comparingLong(Host::ports).reversed().thenComparing(byAddress)).limit(top)
                .toList();
        return new Snapshot(bySessions, byPorts, sessions.size(), sessions.size() >= limit);
    }

    private record PortKey(Protocol protocol, Endpoint outside) {
    }
}
