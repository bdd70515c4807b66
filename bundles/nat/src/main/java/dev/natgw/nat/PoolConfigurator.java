package dev.natgw.nat;

import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.nat.internal.PoolConfig;
import dev.natgw.nat.internal.PoolConfigs;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One address pool from a factory configuration ({@code etc/dev.natgw.nat.pool-NAME.cfg}, or a named
 * factory configuration {@code dev.natgw.nat.pool~NAME} made through ConfigAdmin): adds it to the
 * translator when the configuration appears, replaces it when it changes (ending the pool's sessions, whose
 * ports belong to the old definition) and removes it when the configuration is deleted (its sessions live
 * on until they end). A bad configuration is refused with a message that names the field.
 */
@Component(configurationPid = PoolConfigurator.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = PoolConfig.class, factory = true)
public final class PoolConfigurator {
    /** The factory PID of pool configurations. */
    public static final String FACTORY_PID = "dev.natgw.nat.pool";

    private final NatAdminService nat;
    private PoolDefinition pool;

    /**
     * Adds the pool.
     *
     * @param nat the translator
     * @param config the pool's configuration
     * @param props the configuration's properties, for its PID
     */
    @Activate
    public PoolConfigurator(@Reference NatAdminService nat, PoolConfig config, Map<String, Object> props) {
        this.nat = nat;
        this.pool = PoolConfigs.toDefinition(PoolConfigs.factoryName(props), config);
        nat.addPool(pool);
    }

    @Modified
    void modified(PoolConfig config, Map<String, Object> props) {
        PoolDefinition next = PoolConfigs.toDefinition(PoolConfigs.factoryName(props), config);
        if (next.equals(pool)) {
            // the same pool again, as when Karaf's file installer reads back the file nat:pool-add wrote
            return;
        }
        nat.removePool(pool.name());
        nat.clearSessions(new SessionFilter(null, null, null, pool.name()));
        pool = next;
        nat.addPool(pool);
    }

    @Deactivate
    void deactivate() {
        nat.removePool(pool.name());
    }
}
