package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopHostsTest {
    static SessionInfo s(Protocol p, String inside, int outsidePort, int remotePort) {
        return new SessionInfo(p, new Endpoint(Ipv4.parse(inside), 1000), new Endpoint(Ipv4.parse("198.19.0.1"),
                outsidePort), new Endpoint(Ipv4.parse("198.18.0.9"), remotePort),
                p == Protocol.TCP ? TcpState.ESTABLISHED : TcpState.NONE, 0, 0, "default");
    }

    @Test
    void hostsAreRankedBySessionsAndByDistinctOutsidePorts() {
        List<SessionInfo> sessions = new ArrayList<>();
        // 10.0.0.2: four sessions through one port (endpoint-independent mapping)
        for (int r = 0; r < 4; r++) {
            sessions.add(s(Protocol.UDP, "10.0.0.2", 5000, 53 + r));
        }
        // 10.0.0.1: three sessions on three ports, the same port number for TCP and UDP counted twice
        sessions.add(s(Protocol.TCP, "10.0.0.1", 6000, 80));
        sessions.add(s(Protocol.UDP, "10.0.0.1", 6000, 80));
        sessions.add(s(Protocol.UDP, "10.0.0.1", 6001, 80));
        sessions.add(s(Protocol.UDP, "10.0.0.3", 7000, 80));
        TopHosts.Snapshot t = TopHosts.count(sessions, 100, 2);
        assertThat(t.bySessions()).containsExactly(new TopHosts.Host("10.0.0.2", 4, 1),
                new TopHosts.Host("10.0.0.1", 3, 3));
        assertThat(t.byPorts()).containsExactly(new TopHosts.Host("10.0.0.1", 3, 3),
                new TopHosts.Host("10.0.0.2", 4, 1));
        assertThat(t.counted()).isEqualTo(8);
        assertThat(t.sample()).isFalse();
        assertThat(TopHosts.count(sessions, 8, 2).sample()).isTrue();
    }
}
