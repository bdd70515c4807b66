package dev.natgw.nat.cli;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import dev.natgw.testing.InMemoryNatAdmin;
import dev.natgw.testing.StdoutCapture;
import java.util.List;

/** Captures System.out, which the commands print to as Karaf's own do, and builds a populated fake. */
abstract class CommandTestSupport extends StdoutCapture {

    final InMemoryNatAdmin nat = new InMemoryNatAdmin();
    static SessionInfo session(Protocol p, String inside, String outside, String remote, long idleMillis,
            int worker, String pool) {
        return new SessionInfo(p, Endpoint.parse(inside), Endpoint.parse(outside), Endpoint.parse(remote),
                p == Protocol.TCP ? TcpState.ESTABLISHED : TcpState.NONE, idleMillis, worker, pool,
                idleMillis + 61_000);
    }

    /** Two pools and four sessions: three in "public" (TCP, UDP, ICMP) and one through a static mapping. */
    void populate() {
        nat.addPool(PoolDefinition.of("public", List.of(Ipv4Range.parse("198.19.0.1"))));
        nat.addPool(new PoolDefinition("cgn", List.of(Ipv4Range.parse("198.19.1.0/30")), 2000, 2999,
                dev.natgw.api.nat.MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
                dev.natgw.api.nat.FilteringBehavior.ENDPOINT_INDEPENDENT, false, 64, false));
        nat.setSessions(List.of(
                session(Protocol.TCP, "10.0.0.2:40000", "198.19.0.1:1025", "203.0.113.7:443", 1500, 0, "public"),
                session(Protocol.UDP, "10.0.0.2:5353", "198.19.0.1:1026", "203.0.113.8:53", 200_000, 1, "public"),
                session(Protocol.ICMP, "10.0.0.3:7", "198.19.0.1:1027", "203.0.113.7:7", 8_000_000, 1, "public"),
                session(Protocol.TCP, "10.0.0.9:80", "198.19.0.1:8080", "203.0.113.50:51000", 0, 0, null)));
        nat.setHeldPorts("cgn", 2);
    }
}
