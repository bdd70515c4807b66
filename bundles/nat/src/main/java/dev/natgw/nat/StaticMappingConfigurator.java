package dev.natgw.nat;

import dev.natgw.api.nat.NatAdminService;
import dev.natgw.nat.internal.StaticMappingConfig;
import dev.natgw.nat.internal.StaticMappingConfigs;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One static mapping from a factory configuration ({@code etc/dev.natgw.nat.static-NAME.cfg}, or
 * {@code dev.natgw.nat.static~NAME} made through Config Admin, as {@code nat:static-add} does): applies it when the
 * configuration appears or changes and withdraws it when the configuration is deleted. A value that does not parse
 * fails the component with a message that names the key; a mapping that clashes with one in force is kept refused by
 * the translator, which logs and lists it ({@link NatAdminService#configureStaticMapping}).
 */
@Component(configurationPid = StaticMappingConfigs.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = StaticMappingConfig.class, factory = true)
public final class StaticMappingConfigurator {
    /** {@code ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED}. */
    static final int BUNDLE_STOPPED = 6;

    private final NatAdminService nat;
    private final String pid;

    /**
     * Applies the mapping.
     *
     * @param nat the translator
     * @param config the mapping's configuration
     * @param props the configuration's properties, for its PID
     */
    @Activate
    public StaticMappingConfigurator(@Reference NatAdminService nat, StaticMappingConfig config,
            Map<String, Object> props) {
        this.nat = nat;
        this.pid = String.valueOf(props.get("service.pid"));
        nat.configureStaticMapping(pid, StaticMappingConfigs.toMapping(pid, config));
    }

    @Modified
    void modified(StaticMappingConfig config) {
        nat.configureStaticMapping(pid, StaticMappingConfigs.toMapping(pid, config));
    }

    @Deactivate
    void deactivate(int reason) {
        if (reason != BUNDLE_STOPPED) {
            nat.unconfigureStaticMapping(pid);
        }
        // else the bundle stops, as for an update: the translator hands the mapping over in force, and this
        // configuration's next configurator takes it on, so no dynamic session can take its port in between
    }
}
