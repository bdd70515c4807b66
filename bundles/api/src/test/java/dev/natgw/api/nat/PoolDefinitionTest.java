package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PoolDefinitionTest {
    private static final List<Ipv4Range> ADDRESSES = List.of(Ipv4Range.parse("198.19.0.0/28"));

    private static PoolDefinition pool(String name, List<Ipv4Range> addresses, int portMin, int portMax, int quota) {
        return new PoolDefinition(name, addresses, portMin, portMax, MappingBehavior.DEFAULT, FilteringBehavior.DEFAULT,
                true, quota, true);
    }

    @Test
    void ofUsesRecommendedDefaults() {
        PoolDefinition p = PoolDefinition.of("public", ADDRESSES);

        assertThat(p.portMin()).isEqualTo(PoolDefinition.DEFAULT_PORT_MIN).isEqualTo(1025);
        assertThat(p.portMax()).isEqualTo(PoolDefinition.DEFAULT_PORT_MAX).isEqualTo(65535);
        assertThat(p.mapping()).isEqualTo(MappingBehavior.ENDPOINT_INDEPENDENT);
        assertThat(p.filtering()).isEqualTo(FilteringBehavior.ADDRESS_DEPENDENT);
        assertThat(p.pairedPooling()).isTrue();
        assertThat(p.perHostPortQuota()).isEqualTo(PoolDefinition.DEFAULT_PORT_QUOTA).isEqualTo(8192);
        assertThat(p.limits()).isEqualTo(SubscriberLimits.DEFAULT);
        assertThat(p.addressCount()).isEqualTo(16);
        assertThat(p.contains(Ipv4.parse("198.19.0.15"))).isTrue();
        assertThat(p.contains(Ipv4.parse("198.19.0.16"))).isFalse();
    }

    @Test
    void subscriberLimitsAreCheckedAndTheOldFormHasTheDefaults() {
        assertThat(pool("p", ADDRESSES, 1025, 65535, 0).limits()).isEqualTo(SubscriberLimits.DEFAULT);
        assertThat(PoolDefinition.of("p", ADDRESSES).withLimits(SubscriberLimits.NONE).limits())
                .isEqualTo(SubscriberLimits.NONE);
        assertThatThrownBy(() -> new SubscriberLimits(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sessionsPerHost must be >= 0, was -1");
        assertThatThrownBy(() -> new SubscriberLimits(0, 10, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mappingBurst must be >= 1");
    }

    @Test
    void copiesAddresses() {
        List<Ipv4Range> addresses = new ArrayList<>(ADDRESSES);
        PoolDefinition p = PoolDefinition.of("public", addresses);
        addresses.add(Ipv4Range.parse("198.19.0.100"));

        assertThat(p.addresses()).hasSize(1);
    }

    @Test
    void validatesWithFieldNames() {
        assertThatThrownBy(() -> pool("Public", ADDRESSES, 1025, 65535, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> pool("a".repeat(33), ADDRESSES, 1025, 65535, 0)).hasMessageContaining("name");
        assertThatThrownBy(() -> pool("p", List.of(), 1025, 65535, 0)).hasMessageContaining("addresses");
        assertThatThrownBy(() -> pool("p", ADDRESSES, 0, 65535, 0)).hasMessage("portMin must be 1..65535, was 0");
        assertThatThrownBy(() -> pool("p", ADDRESSES, 2000, 1999, 0)).hasMessageContaining("portMax");
        assertThatThrownBy(() -> pool("p", ADDRESSES, 1025, 65536, 0)).hasMessageContaining("portMax");
        assertThatThrownBy(() -> pool("p", ADDRESSES, 1025, 65535, -1)).hasMessageContaining("perHostPortQuota");
        assertThatThrownBy(() -> pool("p",
                List.of(Ipv4Range.parse("198.19.0.0/28"), Ipv4Range.parse("198.19.0.8-198.19.0.30")), 1025, 65535,
                0)).hasMessageContaining("overlap");
        assertThat(pool("p-1", ADDRESSES, 5000, 5000, 64).portMax()).isEqualTo(5000);
    }
}
