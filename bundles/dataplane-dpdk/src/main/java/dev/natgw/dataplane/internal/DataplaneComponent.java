package dev.natgw.dataplane.internal;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.dataplane.dpdk.DataplaneSettings;
import dev.natgw.dataplane.dpdk.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@link Dataplane} service: one {@link Engine} built from the configuration, the
 * {@link PacketStage} whiteboard, and the NAT pools' addresses for proxy ARP. A configuration change
 * restarts the engine: the ports close and reopen, EAL stays up, and the stages are attached again.
 */
@Component(service = {Dataplane.class, DataplaneControl.class}, configurationPid = DataplaneComponent.PID)
@Designate(ocd = DataplaneConfig.class)
public class DataplaneComponent implements Dataplane, DataplaneControl {
    /** The configuration PID. */
    public static final String PID = "dev.natgw.dataplane";

    private final List<Object[]> stages = new ArrayList<>();
    private volatile NatService nat;
    private Engine engine;

    @Activate
    void activate(Map<String, Object> config) {
        start(DataplaneSettings.of(config));
    }

    @Modified
    void modified(Map<String, Object> config) {
        DataplaneSettings settings = DataplaneSettings.of(config);
        synchronized (this) {
            engine.stop();
        }
        start(settings);
    }

    private synchronized void start(DataplaneSettings settings) {
        Engine e = new Engine(settings);
        e.setPoolRanges(this::poolRanges);
        e.start();
        engine = e;
        for (Object[] s : stages) {
            e.addStage((PacketStage) s[0], (String) s[1], (Integer) s[2], (Long) s[3]);
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (engine != null) {
            engine.stop();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addStage(PacketStage stage, Map<String, Object> props) {
        Object name = props.get(PacketStage.STAGE_NAME);
        Object order = props.get(PacketStage.STAGE_ORDER);
        long id = ((Number) props.get("service.id")).longValue();
        if (!(name instanceof String) || !(order instanceof Integer)) {
            org.slf4j.LoggerFactory.getLogger(DataplaneComponent.class).warn(
                    "natgw dataplane: stage service {} lacks {} (String) or {} (Integer); not added", id,
                    PacketStage.STAGE_NAME, PacketStage.STAGE_ORDER);
            return;
        }
        stages.add(new Object[]{stage, name, order, id});
        if (engine != null) {
            engine.addStage(stage, (String) name, (Integer) order, id);
        }
    }

    synchronized void removeStage(PacketStage stage) {
        stages.removeIf(s -> s[0] == stage);
        if (engine != null) {
            engine.removeStage(stage);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setNat(NatService service) {
        this.nat = service;
    }

    void unsetNat(NatService service) {
        if (this.nat == service) {
            this.nat = null;
        }
    }

    private int[] poolRanges() {
        NatService n = nat;
        if (n == null) {
            return new int[0];
        }
        List<int[]> ranges = new ArrayList<>();
        for (PoolDefinition p : n.pools()) {
            for (Ipv4Range r : p.addresses()) {
                ranges.add(new int[]{r.first(), r.last()});
            }
        }
        int[] flat = new int[ranges.size() * 2];
        for (int i = 0; i < ranges.size(); i++) {
            flat[2 * i] = ranges.get(i)[0];
            flat[2 * i + 1] = ranges.get(i)[1];
        }
        return flat;
    }

    private synchronized Engine engine() {
        return engine;
    }

    @Override
    public List<PortInfo> ports() {
        return engine().ports();
    }

    @Override
    public PortStats portStats(String port) {
        return engine().portStats(port);
    }

    @Override
    public List<WorkerInfo> workers() {
        return engine().workers();
    }

    @Override
    public RssConfig rss() {
        return engine().rss();
    }

    @Override
    public List<String> stages() {
        return engine().stages();
    }

    @Override
    public Map<String, Long> counters() {
        return engine().counters();
    }

    @Override
    public CaptureResult capture(String port, int packets, Duration timeout, Path file) throws IOException {
        return engine().capture(port, packets, timeout, file);
    }

    @Override
    public List<String[]> neighbours(String port) {
        return engine().neighbours(port);
    }
}
