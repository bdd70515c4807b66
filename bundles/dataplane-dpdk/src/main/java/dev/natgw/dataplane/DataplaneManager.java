package dev.natgw.dataplane;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.api.state.StateKeeper;
import dev.natgw.dataplane.dpdk.DataplaneSettings;
import dev.natgw.dataplane.internal.DataplaneConfig;
import dev.natgw.dataplane.internal.DataplaneControl;
import dev.natgw.dataplane.dpdk.Engine;
import dev.natgw.dataplane.dpdk.PortDeposit;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Dataplane} service: one {@link Engine} built from the configuration, and the
 * {@link PacketStage} whiteboard (the stages claim the addresses they own, such as the NAT's pools, through
 * their context, so the dataplane knows no other service's API). A configuration change
 * restarts the engine: EAL stays up, the stages are attached again, and the ports stay started if the
 * change does not touch them (device, MTU, workers, mbufs), or close and reopen if it does.
 *
 * <p>
 * Hand-over: when the component deactivates (bundle stop or update) and a {@link StateKeeper} is there, the
 * workers stop but the ports stay started, and their descriptions are deposited ({@link PortDeposit});
 * the next revision's activation claims them and takes over each port that fits its configuration (no close,
 * no reopen: what arrived meanwhile waits in the device's queues), and closes the others. A deposit nobody
 * claims (the keeper stops, or replaces it) closes its ports by itself, with the depositing revision's code.
 */
@Component(service = {Dataplane.class, DataplaneControl.class}, configurationPid = DataplaneManager.PID)
@Designate(ocd = DataplaneConfig.class)
public class DataplaneManager implements Dataplane, DataplaneControl {
    /** The configuration PID. */
    public static final String PID = "dev.natgw.dataplane";

    private static final Logger LOG = LoggerFactory.getLogger(DataplaneManager.class);

    /** Seconds between attempts to start ports that failed to start (an interface not there yet, say). */
    static final int RETRY_SECONDS = 5;

    /** A stage service as the whiteboard gave it, kept to attach it to each new engine. */
    private record StageRef(PacketStage stage, String name, int order, long serviceId) {
    }

    private final List<StageRef> stages = new ArrayList<>();
    private Engine engine;
    private DataplaneSettings settings;
    private volatile String failure = "not started";
    private Thread retry;
    private boolean active;
    private volatile StateKeeper keeper;
    /** Started ports handed over by the previous engine, for the next one to adopt or close. */
    private List<PortDeposit.StartedPort> handedOver = List.of();

    /**
     * Starts the ports. A bad configuration or ports that do not start leave the service registered and
     * saying why ({@link #failure()}, shown by dp:ports); ports are tried again every
     * {@value #RETRY_SECONDS} s and at every configuration change.
     */
    @Activate
    synchronized void activate(DataplaneConfig config) {
        active = true;
        claimDeposit();
        configure(config);
        retry = Thread.ofPlatform().name("natgw-dataplane-retry").daemon(true).start(this::retryLoop);
    }

    @Modified
    synchronized void modified(DataplaneConfig config) {
        if (engine != null) {
            handedOver = engine.handOver();
            engine = null;
        }
        configure(config);
    }

    private void configure(DataplaneConfig config) {
        try {
            settings = DataplaneSettings.of(config);
        } catch (RuntimeException e) {
            // a value out of range (IllegalArgumentException), or one DS could not convert to the attribute's type:
            // Felix's configuration proxy throws ComponentException from the attribute's method when it is read.
            // Either way the component stays up and dp:ports says why.
            settings = null;
            failure = "configuration refused: " + e.getMessage();
            LOG.error("natgw dataplane: {} (PID {})", failure, PID);
            closeHandedOver();
            return;
        }
        tryStart();
    }

    /** Takes the ports the previous revision deposited, if any; they wait in {@link #handedOver}. */
    private void claimDeposit() {
        handedOver = PortDeposit.claim(keeper);
    }

    private void closeHandedOver() {
        List<PortDeposit.StartedPort> ports = handedOver;
        handedOver = List.of();
        PortDeposit.close(ports);
    }

    private void tryStart() {
        Engine e = new Engine(settings);
        e.offer(handedOver);
        handedOver = List.of();
        // registered before the start, which attaches them before the workers run: no packet taken over from the
        // device's queues meets a pipeline without its stages
        for (StageRef s : stages) {
            e.addStage(s.stage, s.name, s.order, s.serviceId);
        }
        try {
            e.start();
        } catch (RuntimeException ex) {
            String why = ex.getMessage();
            if (!why.equals(failure)) {
                LOG.error("natgw dataplane: ports did not start, trying again every {} s: {}", RETRY_SECONDS, why);
            }
            failure = why;
            return;
        } catch (ExceptionInInitializerError | NoClassDefFoundError ex) {
            failure = "DPDK cannot be loaded: " + (ex.getCause() == null ? ex : ex.getCause()).toString();
            LOG.error("natgw dataplane: {}", failure);
            return;
        }
        engine = e;
        failure = null;
    }

    private void retryLoop() {
        while (true) {
            try {
                Thread.sleep(RETRY_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (!active) {
                    return;
                }
                if (engine == null && settings != null) {
                    tryStart();
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        Thread t;
        synchronized (this) {
            active = false;
            t = retry;
            if (engine != null) {
                PortDeposit.deposit(keeper, engine.handOver());
                engine = null;
            }
            closeHandedOver();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String failure() {
        return failure;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addStage(PacketStage stage, Map<String, Object> props) {
        Object name = props.get(PacketStage.STAGE_NAME);
        Object order = props.get(PacketStage.STAGE_ORDER);
        long id = ((Number) props.get("service.id")).longValue();
        if (!(name instanceof String) || !(order instanceof Integer)) {
            LOG.warn(
                    "natgw dataplane: stage service {} lacks {} (String) or {} (Integer); not added", id,
                    PacketStage.STAGE_NAME, PacketStage.STAGE_ORDER);
            return;
        }
        stages.add(new StageRef(stage, (String) name, (Integer) order, id));
        if (engine != null) {
            engine.addStage(stage, (String) name, (Integer) order, id);
        }
    }

    synchronized void removeStage(PacketStage stage) {
        stages.removeIf(s -> s.stage == stage);
        if (engine != null) {
            engine.removeStage(stage);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setStateKeeper(StateKeeper k) {
        keeper = k;
    }

    void unsetStateKeeper(StateKeeper k) {
        if (keeper == k) {
            keeper = null;
        }
    }

    private synchronized Engine engine() {
        return engine;
    }

    private Engine running() {
        Engine e = engine();
        if (e == null) {
            throw new IllegalStateException("the dataplane is not running: " + failure);
        }
        return e;
    }

    @Override
    public List<PortInfo> ports() {
        Engine e = engine();
        return e == null ? List.of() : e.ports();
    }

    @Override
    public PortStats portStats(String port) {
        return running().portStats(port);
    }

    @Override
    public List<WorkerInfo> workers() {
        Engine e = engine();
        return e == null ? List.of() : e.workers();
    }

    @Override
    public RssConfig rss() {
        Engine e = engine();
        return e == null ? RssConfig.symmetricDefault(1) : e.rss();
    }

    @Override
    public List<String> stages() {
        Engine e = engine();
        if (e != null) {
            return e.stages();
        }
        List<String> names = new ArrayList<>();
        synchronized (this) {
            for (StageRef st : stages) {
                names.add(st.name);
            }
        }
        return names;
    }

    @Override
    public Map<String, Long> counters() {
        Engine e = engine();
        return e == null ? Map.of() : e.counters();
    }

    @Override
    public CaptureResult capture(String port, int packets, Duration timeout, Path file) throws IOException {
        return running().capture(port, packets, timeout, file);
    }

    @Override
    public List<String[]> neighbours(String port) {
        Engine e = engine();
        return e == null ? List.of() : e.neighbours(port);
    }
}
