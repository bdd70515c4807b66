package dev.natgw.dataplane.dpdk;

import dev.natgw.dataplane.internal.DataplaneConfig;
import dev.natgw.testing.ConfigProxy;
import java.util.Map;

/** Dataplane settings from a few configuration properties, the others at {@link DataplaneConfig}'s defaults. */
final class TestSettings {
    private TestSettings() {
    }

    /**
     * Checks a configuration as the component would.
     *
     * @param properties values by configuration key, of the attribute's type
     * @return the settings
     */
    static DataplaneSettings of(Map<String, ?> properties) {
        return DataplaneSettings.of(ConfigProxy.of(DataplaneConfig.class, properties));
    }
}
