package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import org.junit.jupiter.api.Test;

class SessionsModelTest {

    @Test
    void filterFromTypedFields() {
        assertThat(SessionsModel.filter(null, " ", "", null)).isEqualTo(SessionFilter.ALL);
        assertThat(SessionsModel.filter(Protocol.TCP, "198.18.0.2", " 198.19.0.200 ", "default"))
                .isEqualTo(new SessionFilter(Protocol.TCP, Ipv4.parse("198.18.0.2"), Ipv4.parse("198.19.0.200"),
                        "default"));
    }

    @Test
    void badAddressNamesTheField() {
        assertThatThrownBy(() -> SessionsModel.filter(null, "198.18.0.300", null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("inside address");
        assertThatThrownBy(() -> SessionsModel.filter(null, null, "host.example", null))
                .hasMessageStartingWith("remote address");
    }

    @Test
    void queryIsFilteredOnTheServiceAndBoundedByTheLimit() {
        var nat = OverviewModelTest.nat();
        Reading<SessionsModel.Page> tcp = SessionsModel.query(nat, SessionsModel.filter(Protocol.TCP, null, null,
                null), 100);
        assertThat(tcp.value().sessions()).hasSize(3).allMatch(s -> s.protocol() == Protocol.TCP);
        assertThat(tcp.value().alive()).isEqualTo(5);
        assertThat(tcp.value().truncated()).isFalse();

        Reading<SessionsModel.Page> two = SessionsModel.query(nat, SessionFilter.ALL, 2);
        assertThat(two.value().sessions()).hasSize(2);
        assertThat(two.value().truncated()).isTrue();

        Reading<SessionsModel.Page> host = SessionsModel.query(nat, SessionsModel.filter(null, "198.18.0.2", null,
                null), 100);
        assertThat(host.value().sessions()).hasSize(2);
    }

    @Test
    void absentService() {
        Reading<SessionsModel.Page> r = SessionsModel.query(null, SessionFilter.ALL, 10);
        assertThat(r.present()).isFalse();
        assertThat(r.message()).contains("NatService");
    }
}
