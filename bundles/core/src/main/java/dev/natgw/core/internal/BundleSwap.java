package dev.natgw.core.internal;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.nat.NatService;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Replaces one natgw bundle while natgw runs and measures what it cost: {@link Bundle#update}, a refresh of
 * that bundle alone (natgw's implementation bundles export nothing, so nothing else is refreshed), then waits
 * until the bundle is ACTIVE and every service interface it registered before is registered again. Runs on
 * the caller's thread; every wait is bounded by the timeout.
 */
public final class BundleSwap {
    /** The dataplane counters that count packets dropped; their growth during the swap is reported. */
    static final String DROP_PREFIX = "drop-";
    private static final Pattern FELIX_REVISION = Pattern.compile("\\(R ([^)]+)\\)");

    private final BundleContext context;

    /**
     * @param context the core bundle's context
     */
    public BundleSwap(BundleContext context) {
        this.context = context;
    }

    /**
     * What a swap did and cost.
     *
     * @param bundleId the bundle's id
     * @param symbolicName its symbolic name
     * @param oldVersion version before
     * @param newVersion version after
     * @param oldRevision the framework's revision id before
     * @param newRevision the framework's revision id after
     * @param source where the new jar was read from
     * @param sha256 the new jar's SHA-256, hex
     * @param millisToActive from the update call until the bundle was ACTIVE again
     * @param millisToServices from the update call until every service interface it had registered was back
     * @param services the service interfaces it registers
     * @param sessionsBefore NAT sessions before, -1 without a NatService
     * @param sessionsAfter NAT sessions once the services were back, -1 without a NatService
     * @param dropped growth of each dataplane drop counter during the swap (counters reset by a dataplane
     *     update count from 0)
     */
    public record Report(long bundleId, String symbolicName, String oldVersion, String newVersion, String oldRevision,
            String newRevision, String source, String sha256, long millisToActive, long millisToServices,
            List<String> services,
            long sessionsBefore, long sessionsAfter, Map<String, Long> dropped) {

        /** {@return all packets the dataplane dropped during the swap} */
        public long droppedTotal() {
            return dropped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Finds a natgw bundle by id or symbolic name.
     *
     * @param name a bundle id or a symbolic name
     * @return the bundle
     * @throws IllegalArgumentException when there is none, or it is not an updatable natgw bundle
     */
    public Bundle find(String name) {
        Bundle found = null;
        if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
            found = context.getBundle(Long.parseLong(name));
        } else {
            for (Bundle b : context.getBundles()) {
                if (name.equals(b.getSymbolicName())) {
                    found = b;
                }
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(
                    "no bundle " + name + " (give an id or a symbolic name; see natgw:status)");
        }
        String sn = String.valueOf(found.getSymbolicName());
        if (!sn.startsWith("dev.natgw.")) {
            throw new IllegalArgumentException(name + " is " + sn + ", not a natgw bundle; use bundle:update for it");
        }
        String refused = refusal(sn, found.getBundleId(), context.getBundle().getBundleId());
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        return found;
    }

    /** The symbolic name of the bundle that exports natgw's contracts. */
    public static final String API = "dev.natgw.api";

    /**
     * Why natgw:update will not swap a natgw bundle, or null when it will.
     *
     * @param symbolicName the bundle's symbolic name
     * @param id the bundle's id
     * @param selfId the id of the bundle that runs the command (the core)
     * @return the message, naming the shell commands to use instead, or null
     */
    public static String refusal(String symbolicName, long id, long selfId) {
        if (API.equals(symbolicName)) {
            // Every natgw bundle but the state keeper is wired to the api's packages: refreshing it restarts
            // them all, the core that runs this command among them, which could then not report anything.
            return symbolicName + " exports the contracts every natgw bundle but dev.natgw.state is wired to:"
                    + " updating it refreshes all of them (core, nat, dataplane, forwarder, registry, console...),"
                    + " this command's own bundle included, so natgw:update cannot do it. Use bundle:update " + id
                    + " URL followed by bundle:refresh " + id + " (or both at once: bundle:update -r " + id
                    + " URL). Cost: every natgw service stops and starts again;"
                    + " the dataplane's ports restart (traffic pauses, as in a dataplane update), the forwarder's"
                    + " connections close, the console restarts; NAT sessions are kept when the new translator"
                    + " adopts the state keeper's deposit (natgw:state, nat:stats show the outcome)";
        }
        if (id == selfId) {
            return symbolicName + " runs this command and cannot replace itself: use bundle:update " + id + " URL";
        }
        return null;
    }

    /**
     * Updates the bundle from source (its location when null), refreshes it and waits for it. The jar is fetched
     * and checked first ({@link JarSource}: only file: and mvn:, the bundle's own symbolic name, the given SHA-256);
     * a refusal leaves the bundle as it was.
     *
     * @param bundle the bundle
     * @param source a file: or mvn: URL or a file path of the new jar, or null to re-read the bundle's location
     * @param sha256 the SHA-256 the jar must have (64 hex digits), or null for any
     * @param timeout how long to wait for ACTIVE and for the services
     * @return what it did and cost
     * @throws IllegalArgumentException when the jar is refused
     * @throws IOException when the jar cannot be read
     * @throws BundleException when the framework refuses the update
     * @throws IllegalStateException when the bundle or its services do not come back within the timeout
     */
    public Report update(Bundle bundle, String source, String sha256, Duration timeout)
            throws IOException, BundleException, InterruptedException {
        String from = source == null ? bundle.getLocation() : source;
        try (JarSource jar = JarSource.fetch(from)) {
            jar.check(bundle.getSymbolicName(), sha256);
            return swap(bundle, jar, timeout);
        }
    }

    private Report swap(Bundle bundle, JarSource jar, Duration timeout)
            throws IOException, BundleException, InterruptedException {
        String oldVersion = bundle.getVersion().toString();
        String oldRevision = revision(bundle);
        List<String> services = serviceInterfaces(bundle);
        long sessionsBefore = sessions();
        Map<String, Long> dropsBefore = drops();
        long t0 = System.nanoTime();
        try (InputStream in = jar.open()) {
            bundle.update(in);
        }
        refresh(bundle, timeout);
        long deadline = t0 + timeout.toNanos();
        await(() -> bundle.getState() == Bundle.ACTIVE, deadline,
                () -> bundle.getSymbolicName() + " is " + BundleStates.name(bundle.getState()) + ", not ACTIVE");
        long active = System.nanoTime();
        await(() -> serviceInterfaces(bundle).containsAll(services), deadline,
                () -> bundle.getSymbolicName() + " registers " + serviceInterfaces(bundle) + ", not yet all of "
                        + services);
        long back = System.nanoTime();
        long sessionsAfter = sessions();
        Map<String, Long> dropsAfter = drops();
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropsAfter.forEach((k, after) -> {
            long before = dropsBefore.getOrDefault(k, 0L);
            dropped.put(k, after >= before ? after - before : after);
        });
        return new Report(bundle.getBundleId(), bundle.getSymbolicName(), oldVersion, bundle.getVersion().toString(),
                oldRevision, revision(bundle), jar.source(), jar.sha256Hex(), (active - t0) / 1_000_000,
                (back - t0) / 1_000_000, services, sessionsBefore, sessionsAfter, dropped);
    }

    private void refresh(Bundle bundle, Duration timeout) throws InterruptedException {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the refresh of " + bundle.getSymbolicName() + " did not finish within "
                    + timeout.toSeconds() + " s");
        }
    }

    private static void await(BooleanSupplier condition, long deadlineNanos, Supplier<String> why)
            throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException(why.get());
            }
            Thread.sleep(2);
        }
    }

    static String revision(Bundle bundle) {
        BundleRevision r = bundle.adapt(BundleRevision.class);
        if (r == null) {
            return "none";
        }
        // Felix writes "name [id](R id.n)": keep the revision id
        Matcher m = FELIX_REVISION.matcher(r.toString());
        return m.find() ? m.group(1) : r.toString();
    }

    static List<String> serviceInterfaces(Bundle bundle) {
        TreeSet<String> names = new TreeSet<>();
        ServiceReference<?>[] refs = bundle.getRegisteredServices();
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                for (String c : (String[]) r.getProperty(Constants.OBJECTCLASS)) {
                    names.add(c);
                }
            }
        }
        return new ArrayList<>(names);
    }

    private long sessions() {
        ServiceReference<NatService> ref = context.getServiceReference(NatService.class);
        if (ref == null) {
            return -1;
        }
        NatService nat = context.getService(ref);
        try {
            return nat == null ? -1 : nat.sessionCount();
        } catch (RuntimeException e) {
            return -1;
        } finally {
            context.ungetService(ref);
        }
    }

    private Map<String, Long> drops() {
        Map<String, Long> out = new LinkedHashMap<>();
        ServiceReference<Dataplane> ref = context.getServiceReference(Dataplane.class);
        if (ref == null) {
            return out;
        }
        Dataplane dp = context.getService(ref);
        try {
            if (dp != null) {
                dp.counters().forEach((k, v) -> {
                    if (k.startsWith(DROP_PREFIX)) {
                        out.put(k, v);
                    }
                });
            }
        } catch (RuntimeException e) {
            // a dataplane going away mid-read: no figures
        } finally {
            context.ungetService(ref);
        }
        return out;
    }
}
