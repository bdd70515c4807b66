package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.status.BundleStatus;
import dev.natgw.console.Fakes;
import org.junit.jupiter.api.Test;

class BundlesModelTest {

    @Test
    void bundlesWithStateAndVersionAsTheStatusServiceSaysAndAbsentWithout() {
        Fakes.TestStatus status = new Fakes.TestStatus();
        var s = BundlesModel.read(status).value();
        assertThat(s.bundles()).extracting(BundleStatus::symbolicName, BundleStatus::state).contains(
                org.assertj.core.groups.Tuple.tuple("dev.natgw.nat", "ACTIVE"));
        status.natState = "RESOLVED";
        assertThat(BundlesModel.read(status).value().services().getFirst().up()).isFalse();
        assertThat(BundlesModel.read(null).message()).contains("StatusService");
    }
}
