package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.api.state.StateKeeper;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's hand-over format: what one revision of the bundle deposits with the {@link StateKeeper}
 * when it stops with its ports started, and what the next revision claims. The next revision's classes
 * are not this one's, so the deposit holds JDK types only: a descriptor with {@value #PORTS} (a list of
 * one map per port, keyed by {@link #PORT_KEYS}) and {@value #TAKEN} (an {@link AtomicBoolean} the
 * claimer sets), and one arena whose clean-up closes the ports, with the depositing revision's code,
 * unless they were taken. Every key lives here and {@link #VERSION} covers them all: a change to any key,
 * type or meaning raises it, and a revision refuses a deposit of another version or with a key it cannot
 * read (its ports are then closed by their depositor and opened anew).
 */
public final class PortDeposit {
    private static final Logger LOG = LoggerFactory.getLogger(PortDeposit.class);

    /** The owner name of the dataplane's deposits. */
    public static final String OWNER = "dataplane";
    /** The version of the format: the descriptor's keys and every port key, their types and meanings. */
    public static final int VERSION = 1;
    /** Descriptor key: the ports, a {@code List} of maps keyed by {@link #PORT_KEYS}. */
    public static final String PORTS = "ports";
    /** Descriptor key: an {@link AtomicBoolean} the claimer sets so that the clean-up leaves the ports up. */
    public static final String TAKEN = "taken";

    static final String NAME = "name";
    static final String ROLE = "role";
    static final String DEVICE = "device";
    static final String ID = "id";
    static final String QUEUES = "queues";
    static final String MTU = "mtu";
    static final String MBUFS = "mbufs";
    static final String MAC = "mac";
    static final String RSS = "rss";
    static final String VDEV = "vdev";
    static final String POOL = "pool";
    static final String RING_RX = "ringRx";
    static final String RING_TX = "ringTx";
    static final String RSS_HASH = "rssHash";
    static final String NEIGHBOURS = "neighbours";

    /** Every key of a port's map, with the type of its value. */
    public static final Map<String, Class<?>> PORT_KEYS = portKeys();

    private static Map<String, Class<?>> portKeys() {
        Map<String, Class<?>> k = new LinkedHashMap<>();
        k.put(NAME, String.class);
        k.put(ROLE, String.class);
        k.put(DEVICE, String.class);
        k.put(ID, Integer.class);
        k.put(QUEUES, Integer.class);
        k.put(MTU, Integer.class);
        k.put(MBUFS, Integer.class);
        k.put(MAC, Long.class);
        k.put(RSS, Boolean.class);
        k.put(VDEV, String.class);
        k.put(POOL, Long.class);
        k.put(RING_RX, Long.class);
        k.put(RING_TX, Long.class);
        k.put(RSS_HASH, Long.class);
        k.put(NEIGHBOURS, long[].class);
        return Collections.unmodifiableMap(k);
    }

    private PortDeposit() {
    }

    /**
     * A started port as one revision hands it to the next.
     *
     * @param name the port's name
     * @param role its side, stored by the constant's name
     * @param device the device string it was opened with
     * @param id its DPDK port id
     * @param queues its receive and transmit queues
     * @param mtu its MTU
     * @param mbufs the mbufs of its pool
     * @param mac its MAC address, 48 bits
     * @param rss whether RSS was programmed
     * @param vdev the vdev name it was created under, empty for none
     * @param pool the address of its mbuf pool
     * @param ringRx the address of its receive ring, 0 unless a ring port
     * @param ringTx the address of its transmit ring, 0 unless a ring port
     * @param rssHash a hash of the RSS key and table it was programmed with
     * @param neighbours the neighbours learnt on it, as address, MAC pairs
     */
    public record StartedPort(String name, PortRole role, String device, int id, int queues, int mtu, int mbufs,
            long mac, boolean rss, String vdev, long pool, long ringRx, long ringTx, long rssHash, long[] neighbours) {
    }

    /**
     * Writes a port in the format.
     *
     * @param p the port
     * @return its map, JDK types only
     */
    public static Map<String, Object> write(StartedPort p) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put(NAME, p.name());
        d.put(ROLE, p.role().name());
        d.put(DEVICE, p.device());
        d.put(ID, p.id());
        d.put(QUEUES, p.queues());
        d.put(MTU, p.mtu());
        d.put(MBUFS, p.mbufs());
        d.put(MAC, p.mac());
        d.put(RSS, p.rss());
        d.put(VDEV, p.vdev());
        d.put(POOL, p.pool());
        d.put(RING_RX, p.ringRx());
        d.put(RING_TX, p.ringTx());
        d.put(RSS_HASH, p.rssHash());
        d.put(NEIGHBOURS, p.neighbours().clone());
        return d;
    }

    /**
     * Reads a port written in the format.
     *
     * @param d its map
     * @return the port
     * @throws IllegalArgumentException naming the first key that is missing or of another type
     */
    public static StartedPort read(Map<?, ?> d) {
        String role = value(d, ROLE, String.class);
        PortRole r;
        try {
            r = PortRole.valueOf(role);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("port key " + ROLE + " names no port role: " + role);
        }
        return new StartedPort(value(d, NAME, String.class), r, value(d, DEVICE, String.class),
                value(d, ID, Integer.class), value(d, QUEUES, Integer.class), value(d, MTU, Integer.class),
                value(d, MBUFS, Integer.class), value(d, MAC, Long.class), value(d, RSS, Boolean.class),
                value(d, VDEV, String.class), value(d, POOL, Long.class), value(d, RING_RX, Long.class),
                value(d, RING_TX, Long.class), value(d, RSS_HASH, Long.class), value(d, NEIGHBOURS, long[].class)
                        .clone());
    }

    private static <T> T value(Map<?, ?> d, String key, Class<T> type) {
        Object v = d.get(key);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("port key " + key + " is " + (v == null
                    ? "missing"
                    : "a " + v.getClass().getSimpleName()) + ", not a " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /**
     * Deposits started ports for the next revision; closes them when there is no keeper. A deposit nobody
     * claims (the keeper stops, or replaces it) closes its ports by itself, with this revision's code.
     *
     * @param keeper the keeper, or null
     * @param ports the ports, started, that no engine uses any more
     */
    @SuppressWarnings("MustBeClosedChecker") // the keeper owns the deposit's arena and closes it
    public static void deposit(StateKeeper keeper, List<StartedPort> ports) {
        if (ports.isEmpty()) {
            return;
        }
        if (keeper == null) {
            close(ports);
            return;
        }
        List<StartedPort> kept = List.copyOf(ports);
        List<Map<String, Object>> written = new ArrayList<>();
        for (StartedPort p : kept) {
            written.add(write(p));
        }
        AtomicBoolean taken = new AtomicBoolean();
        Arena arena = Arena.ofShared();
        // the clean-up runs when the arena closes: at once after a claim (taken: nothing to do), or when the
        // keeper stops or replaces the deposit (nobody took the ports: close them)
        MemorySegment.NULL.reinterpret(0, arena, ignored -> {
            if (!taken.get()) {
                close(kept);
            }
        });
        keeper.deposit(new StateDeposit(OWNER, VERSION, Map.of(PORTS, List.copyOf(written), TAKEN, taken), Map.of(),
                List.of(arena)));
        LOG.info("natgw dataplane: {} started port(s) deposited for the next revision", kept.size());
    }

    /**
     * Claims the ports a previous revision deposited. A deposit of another {@link #VERSION}, or one with a key
     * this revision cannot read, is refused: logged, and closed, which closes its ports (with the depositing
     * revision's code) so that they are opened anew.
     *
     * @param keeper the keeper, or null
     * @return the ports taken over, empty if there was no deposit or it was refused
     */
    public static List<StartedPort> claim(StateKeeper keeper) {
        StateDeposit d = keeper == null ? null : keeper.claim(OWNER);
        if (d == null) {
            return List.of();
        }
        try {
            List<StartedPort> ports = read(d);
            LOG.info("natgw dataplane: {} started port(s) handed over by the previous revision", ports.size());
            return ports;
        } catch (IllegalArgumentException e) {
            LOG.warn("natgw dataplane: the previous revision's deposit is refused ({}); its ports are closed and"
                    + " opened anew", e.getMessage());
            return List.of();
        } finally {
            // taken: the clean-up leaves the ports alone; refused: it closes them
            d.close();
        }
    }

    /**
     * Reads a deposit and marks its ports taken; the caller closes it.
     *
     * @param d the deposit
     * @return its ports
     * @throws IllegalArgumentException saying why it is refused; the ports are then not marked taken
     */
    static List<StartedPort> read(StateDeposit d) {
        if (d.layoutVersion() != VERSION) {
            throw new IllegalArgumentException("format version " + d.layoutVersion() + ", this revision reads "
                    + VERSION);
        }
        if (!(d.descriptor().get(TAKEN) instanceof AtomicBoolean taken)) {
            throw new IllegalArgumentException("descriptor key " + TAKEN + " is missing or not an AtomicBoolean");
        }
        if (!(d.descriptor().get(PORTS) instanceof List<?> list)) {
            throw new IllegalArgumentException("descriptor key " + PORTS + " is missing or not a List");
        }
        List<StartedPort> ports = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("a port is not a Map");
            }
            ports.add(read(m));
        }
        taken.set(true);
        return List.copyOf(ports);
    }

    /**
     * Closes ports nobody will run, each on its own so that one failure leaves the others closed.
     *
     * @param ports the ports
     */
    public static void close(List<StartedPort> ports) {
        for (StartedPort p : ports) {
            try {
                Port.adopt(p).close();
            } catch (RuntimeException e) {
                LOG.error("natgw dataplane: cannot close handed-over port {}: {}", p.device(), e.toString());
            }
        }
    }
}
