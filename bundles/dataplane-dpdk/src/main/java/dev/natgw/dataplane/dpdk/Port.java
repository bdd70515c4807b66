package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.QueueStats;
import dev.natgw.api.dataplane.RssConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One DPDK ethdev opened for the dataplane, with its own mbuf pool. The device is a PCI address, a
 * vdev string ({@code net_af_packet,iface=veth0}, {@code net_pcap,rx_pcap=in.pcap,tx_pcap=out.pcap},
 * {@code net_null}, {@code net_ring}, {@code net_tap}, ...), or {@code ring:NAME} for a port over two
 * DPDK rings named {@code NAME_rx} and {@code NAME_tx} that code in the same process feeds and drains
 * ({@code ring:NAME,loop} makes one ring both, so what the port sends it receives again).
 *
 * <p>
 * Life cycle, per the EAL rules: vdev add, pool, port set-up, traffic, then {@link #close()}: stop,
 * close, vdev remove, rings and pool freed. A vdev gets a fresh name each time, because some drivers'
 * resources outlive their device.
 */
public final class Port {
    private static final AtomicInteger SERIAL = new AtomicInteger();
    /** Data room of each mbuf: {@link dev.natgw.api.dataplane.PacketBurst#MIN_ROOM} plus the headroom. */
    static final int DATA_ROOM = 2048 + 128;
    /**
     * The frame size natgw gives a {@code net_af_packet} port unless its device string sets {@code framesz}: the
     * kernel reassembles fragments for that driver (its socket asks for defragmentation), so datagrams up to
     * {@value} bytes less the ring's 32-byte frame header and the Ethernet header (8,146 IP bytes) arrive whole,
     * and the worker cuts them again to the egress MTU. Larger ones arrive truncated and are dropped.
     */
    static final int AF_PACKET_FRAME = 8192;
    /**
     * The device string {@code auto,iface=NAME}: {@code net_af_xdp} on the interface (the kernel hands its frames to
     * natgw's memory without the packet socket's copy and does not reassemble fragments), or {@code net_af_packet}
     * where AF_XDP cannot open it (no XDP sockets in the kernel, no driver, too little locked memory).
     */
    static final String AUTO = "auto,";

    final String name;
    final PortRole role;
    final byte roleCode;
    final String device;
    final short id;
    final int queues;
    final int mtu;
    final int mbufs;
    final long mac;
    final boolean rss;
    /** A hash of the RSS key and table the port was programmed with. */
    private final long rssHash;
    private final String vdevName;
    private final MemorySegment pool;
    private final MemorySegment ringRx;
    private final MemorySegment ringTx;
    private volatile boolean closed;
    /** Why an {@code auto} device fell back to net_af_packet, or null. */
    private String fallback;

    private Port(String name, PortRole role, String device, short id, int queues, int mtu, int mbufs, long mac,
            boolean rss, long rssHash, String vdevName, MemorySegment pool, MemorySegment ringRx,
            MemorySegment ringTx) {
        this.name = name;
        this.role = role;
        this.roleCode = role.code();
        this.device = device;
        this.id = id;
        this.queues = queues;
        this.mtu = mtu;
        this.mbufs = mbufs;
        this.mac = mac;
        this.rss = rss;
        this.rssHash = rssHash;
        this.vdevName = vdevName;
        this.pool = pool;
        this.ringRx = ringRx;
        this.ringTx = ringTx;
    }

    /**
     * Opens and starts a port.
     *
     * @param name the port's name
     * @param role its side
     * @param device the device string
     * @param queues receive and transmit queues, one per worker
     * @param mtu the MTU
     * @param mbufs the mbufs of its pool
     * @param rssConfig the RSS key and table to program when queues > 1
     * @return the started port
     * @throws IllegalArgumentException naming the port and device when DPDK refuses
     */
    public static Port open(String name, PortRole role, String device, int queues, int mtu, int mbufs,
            RssConfig rssConfig) {
        if (!device.startsWith(AUTO)) {
            return open(name, role, device, device, queues, mtu, mbufs, rssConfig);
        }
        String iface = autoInterface(name, device);
        String xdp = "net_af_xdp,iface=" + iface + (queues > 1 ? ",queue_count=" + queues : "");
        try {
            return open(name, role, device, xdp, queues, mtu, mbufs, rssConfig);
        } catch (IllegalArgumentException | IllegalStateException refused) {
            String packet = "net_af_packet,iface=" + iface + ",framecnt=4096" + (queues > 1 ? ",qpairs=" + queues : "");
            Port p = open(name, role, device, packet, queues, mtu, mbufs, rssConfig);
            p.fallback = "net_af_xdp could not open " + iface + " (" + refused.getMessage() + "), so the " + name
                    + " port uses net_af_packet, which copies every packet through the kernel's packet socket";
            return p;
        }
    }

    /**
     * {@return the interface of an {@code auto,iface=NAME} device string}
     *
     * @throws IllegalArgumentException when the string has anything else
     */
    static String autoInterface(String name, String device) {
        String rest = device.substring(AUTO.length());
        if (!rest.startsWith("iface=") || rest.length() == 6 || rest.indexOf(',') >= 0
                || !rest.substring(6).matches("[A-Za-z0-9_.:@-]{1,15}")) {
            throw refuse(name, device, "auto takes exactly iface=NAME (an interface name of 1..15 characters);"
                    + " give a full vdev string (net_af_xdp,... or net_af_packet,...) to set more");
        }
        return rest.substring(6);
    }

    private static Port open(String name, PortRole role, String configured, String device, int queues, int mtu,
            int mbufs, RssConfig rssConfig) {
        int serial = SERIAL.incrementAndGet();
        String tag = Long.toString(System.nanoTime() % 1_000_000_000L, 36) + serial;
        String vdevName = null;
        MemorySegment ringRx = MemorySegment.NULL;
        MemorySegment ringTx = MemorySegment.NULL;
        MemorySegment pool = MemorySegment.NULL;
        int portId = -1;
        boolean afPacket = device.startsWith("net_af_packet");
        // the driver refuses a pool whose buffers cannot hold a whole ring frame
        int dataRoom = afPacket ? Math.max(DATA_ROOM, framesz(device) + Mbuf.HEADROOM) : DATA_ROOM;
        try (Arena arena = Arena.ofConfined()) {
            pool = (MemorySegment) Dpdk.POOL_CREATE.invokeExact(arena.allocateFrom("ngw" + name.charAt(0) + tag),
                    mbufs, 256, (short) 0, (short) dataRoom, -1);
            if (pool.address() == 0) {
                throw refuse(name, device, "cannot create a pool of " + mbufs + " mbufs: "
                        + Dpdk.strerror(Dpdk.errno()) + " (raise eal.memory.mb or lower mbufs)");
            }
            MemorySegment idOut = arena.allocate(ValueLayout.JAVA_SHORT);
            if (device.startsWith("ring:")) {
                String[] parts = device.substring(5).split(",", -1);
                String ring = parts[0];
                boolean loop = parts.length > 1 && parts[1].equals("loop");
                if (ring.isEmpty() || ring.length() > 20) {
                    throw refuse(name, device, "a ring name must be 1..20 characters");
                }
                ringRx = (MemorySegment) Dpdk.RING_CREATE.invokeExact(arena.allocateFrom(ring + "_rx"), 4096);
                if (ringRx.address() == 0) {
                    throw refuse(name, device, "cannot create ring " + ring + "_rx: " + Dpdk.strerror(Dpdk.errno()));
                }
                if (loop) {
                    ringTx = ringRx;
                } else {
                    ringTx = (MemorySegment) Dpdk.RING_CREATE.invokeExact(arena.allocateFrom(ring + "_tx"), 4096);
                    if (ringTx.address() == 0) {
                        throw refuse(name, device,
                                "cannot create ring " + ring + "_tx: " + Dpdk.strerror(Dpdk.errno()));
                    }
                }
                portId = (int) Dpdk.RING_PORT.invokeExact(arena.allocateFrom("ngw_" + ring + tag), ringRx, ringTx);
                if (portId < 0) {
                    throw refuse(name, device, "cannot make a port of the rings: " + Dpdk.strerror(Dpdk.errno()));
                }
            } else if (device.startsWith("net_")) {
                int comma = device.indexOf(',');
                String driver = comma < 0 ? device : device.substring(0, comma);
                String args = comma < 0 ? "" : device.substring(comma + 1);
                if (afPacket && !device.contains("framesz=")) {
                    args = (args.isEmpty() ? "" : args + ",") + "framesz=" + AF_PACKET_FRAME + ",blocksz="
                            + AF_PACKET_FRAME;
                }
                // the vdev bus finds the driver by the name's prefix; a fresh suffix each time
                vdevName = driver.replaceAll("\\d+$", "") + "_ngw" + tag;
                int rc = (int) Dpdk.VDEV_INIT.invokeExact(arena.allocateFrom(vdevName), arena.allocateFrom(args));
                if (rc != 0) {
                    String why = Dpdk.strerror(rc);
                    vdevName = null;
                    throw refuse(name, device, "the vdev does not start: " + why
                            + " (does the interface or file it names exist? is the driver " + driver + " installed?)");
                }
                rc = (int) Dpdk.PORT_BY_NAME.invokeExact(arena.allocateFrom(vdevName), idOut);
                if (rc != 0) {
                    throw refuse(name, device, "no port for vdev " + vdevName + ": " + Dpdk.strerror(rc));
                }
                portId = idOut.get(ValueLayout.JAVA_SHORT, 0) & 0xffff;
            } else {
                int rc = (int) Dpdk.PORT_BY_NAME.invokeExact(arena.allocateFrom(device), idOut);
                if (rc != 0) {
                    throw refuse(name, device, "no such device: " + Dpdk.strerror(rc)
                            + " (a PCI device needs eal.pci=true and a DPDK-bound NIC; or give a vdev string)");
                }
                portId = idOut.get(ValueLayout.JAVA_SHORT, 0) & 0xffff;
            }
            short id = (short) portId;
            MemorySegment info = arena.allocate(ValueLayout.JAVA_LONG, 8);
            int rc = (int) Dpdk.PORT_INFO.invokeExact(id, info);
            if (rc != 0) {
                throw refuse(name, device, "cannot read device info: " + Dpdk.strerror(rc));
            }
            long maxRx = info.getAtIndex(ValueLayout.JAVA_LONG, 0);
            long maxTx = info.getAtIndex(ValueLayout.JAVA_LONG, 1);
            if (queues > maxRx || queues > maxTx) {
                throw refuse(name, device, "the device has " + Math.min(maxRx, maxTx) + " queue(s) but " + queues
                        + " worker(s) need one each; use fewer workers or give the device more queues"
                        + " (for example qpairs=N on net_af_packet, queues=N on net_tap)");
            }
            byte[] key = rssConfig.key();
            int[] reta = rssConfig.redirectionTable();
            MemorySegment keySeg = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment retaSeg = arena.allocateFrom(ValueLayout.JAVA_INT, reta);
            short descriptors = (short) (device.startsWith("net_af_xdp") ? xdpDescriptors(mbufs, queues) : 1024);
            rc = (int) Dpdk.PORT_START.invokeExact(id, (short) queues, (short) queues, descriptors, pool,
                    (short) mtu, keySeg, (byte) key.length, retaSeg, reta.length, 1);
            if (rc < 0) {
                throw refuse(name, device, "the port does not start: " + Dpdk.strerror(rc));
            }
            boolean rss = rc == 1;
            MemorySegment macOut = arena.allocate(8);
            rc = (int) Dpdk.MACADDR_GET.invokeExact(id, macOut);
            long mac = 0;
            for (int i = 0; i < 6; i++) {
                mac = (mac << 8) | (macOut.get(ValueLayout.JAVA_BYTE, i) & 0xff);
            }
            if (rc != 0 || mac == 0) {
                // drivers without an address of their own (net_ring, net_null): a locally administered one
                mac = 0x02_4e_47_00_00_00L | ((long) (portId & 0xff) << 8) | (serial & 0xff);
            }
            return new Port(name, role, configured, id, queues, mtu, mbufs, mac, rss, rssHash(rssConfig), vdevName,
                    pool, ringRx, ringTx);
        } catch (IllegalArgumentException e) {
            cleanup(portId, vdevName, ringRx, ringTx, pool);
            throw e;
        } catch (Throwable t) {
            cleanup(portId, vdevName, ringRx, ringTx, pool);
            throw new IllegalStateException("port " + name + " (" + device + "): " + t, t);
        }
    }

    /**
     * {@return the ring size of each AF_XDP queue: the most frames the kernel can hand over while nobody polls (a
     * bundle update restarting the workers), as large as the pool allows with every receive and transmit ring full,
     * a power of two from 512 to 4096}
     *
     * @param mbufs the port's pool
     * @param queues its queue pairs
     */
    static int xdpDescriptors(int mbufs, int queues) {
        int fit = Math.max(512, Math.min(4096, mbufs / (2 * queues)));
        return Integer.highestOneBit(fit);
    }

    /** {@return the driver that serves the port, such as net_af_xdp: what its vdev is named after} */
    String driver() {
        if (vdevName == null) {
            return device.startsWith("ring:") ? "ring" : "pci";
        }
        int cut = vdevName.lastIndexOf("_ngw");
        return cut < 0 ? vdevName : vdevName.substring(0, cut);
    }

    /** {@return the device as configured, and the driver an auto device resolved to} */
    String deviceText() {
        return device.startsWith(AUTO) ? device + " (" + driver() + ")" : device;
    }

    /** {@return why an auto device uses net_af_packet, or null when it did not fall back} */
    String fallback() {
        return fallback;
    }

    /** {@return the ring frame size a net_af_packet device string sets, or the one natgw gives it} */
    static int framesz(String device) {
        for (String arg : device.split(",")) {
            if (arg.startsWith("framesz=")) {
                try {
                    return Integer.parseInt(arg.substring(8).strip());
                } catch (NumberFormatException e) {
                    return AF_PACKET_FRAME; // the driver itself refuses the string
                }
            }
        }
        return AF_PACKET_FRAME;
    }

    /**
     * Describes the started port for the next revision of the dataplane bundle: the port stays started (DPDK
     * keeps receiving into its queues), and whoever gets the description either {@link #adopt adopts} it or
     * {@link #close closes} it. Call after the workers stopped; this object is not used again.
     *
     * @param neighbours the neighbours learnt on the port, as address, MAC pairs
     * @return the description
     */
    public PortDeposit.StartedPort handOver(long[] neighbours) {
        closed = true; // this revision is done with it; the port itself stays up
        return new PortDeposit.StartedPort(name, role, device, id & 0xffff, queues, mtu, mbufs, mac, rss,
                vdevName == null ? "" : vdevName, pool.address(), ringRx.address(), ringTx.address(), rssHash,
                neighbours.clone());
    }

    /**
     * Says why a handed-over port cannot serve as the port this configuration asks for, or null if it can:
     * same device, queues, MTU, pool size and RSS programming, and DPDK still knows it by the same id.
     *
     * @param d a {@link #handOver} description
     * @param role the side asked for
     * @param device the device asked for
     * @param queues the queues asked for
     * @param mtu the MTU asked for
     * @param mbufs the pool size asked for
     * @param rssConfig the RSS key and table asked for
     * @return null, or what differs
     */
    public static String mismatch(PortDeposit.StartedPort d, PortRole role, String device, int queues, int mtu,
            int mbufs, RssConfig rssConfig) {
        if (role != d.role()) {
            return "role " + d.role();
        }
        if (!device.equals(d.device())) {
            return "device was " + d.device();
        }
        if (queues != d.queues()) {
            return "queues were " + d.queues() + ", now " + queues;
        }
        if (mtu != d.mtu()) {
            return "MTU was " + d.mtu() + ", now " + mtu;
        }
        if (mbufs != d.mbufs()) {
            return "mbufs were " + d.mbufs() + ", now " + mbufs;
        }
        if (rssHash(rssConfig) != d.rssHash()) {
            return "RSS configuration differs";
        }
        int id = d.id();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(ValueLayout.JAVA_LONG, 8);
            if ((int) Dpdk.PORT_INFO.invokeExact((short) id, info) != 0) {
                return "DPDK has no port " + id + " any more";
            }
            String vdev = d.vdev();
            if (!vdev.isEmpty()) {
                MemorySegment idOut = arena.allocate(ValueLayout.JAVA_SHORT);
                int rc = (int) Dpdk.PORT_BY_NAME.invokeExact(arena.allocateFrom(vdev), idOut);
                if (rc != 0 || (idOut.get(ValueLayout.JAVA_SHORT, 0) & 0xffff) != id) {
                    return "vdev " + vdev + " is not port " + id + " any more";
                }
            }
        } catch (Throwable t) {
            return "cannot check port " + id + ": " + t;
        }
        return null;
    }

    private static long rssHash(RssConfig rssConfig) {
        return Arrays.hashCode(rssConfig.key()) * 31L + Arrays.hashCode(rssConfig.redirectionTable());
    }

    /**
     * Takes over a started port from a {@link #handOver} description that {@link #mismatch} accepted (or
     * that is about to be closed). Packets the device received meanwhile wait in its queues.
     *
     * @param d the description
     * @return the port, started
     */
    public static Port adopt(PortDeposit.StartedPort d) {
        return new Port(d.name(), d.role(), d.device(), (short) d.id(), d.queues(), d.mtu(), d.mbufs(), d.mac(),
                d.rss(), d.rssHash(), d.vdev().isEmpty() ? null : d.vdev(), MemorySegment.ofAddress(d.pool()),
                MemorySegment.ofAddress(d.ringRx()), MemorySegment.ofAddress(d.ringTx()));
    }

    private static IllegalArgumentException refuse(String name, String device, String why) {
        return new IllegalArgumentException(name + ".device (" + device + "): " + why);
    }

    private static void cleanup(int portId, String vdevName, MemorySegment ringRx, MemorySegment ringTx,
            MemorySegment pool) {
        try (Arena arena = Arena.ofConfined()) {
            if (portId >= 0) {
                int ignored = (int) Dpdk.DEV_STOP.invokeExact((short) portId);
                ignored = (int) Dpdk.DEV_CLOSE.invokeExact((short) portId);
            }
            if (vdevName != null) {
                int ignored = (int) Dpdk.VDEV_UNINIT.invokeExact(arena.allocateFrom(vdevName));
            }
            if (ringRx.address() != 0) {
                Dpdk.RING_FREE.invokeExact(ringRx);
            }
            if (ringTx.address() != 0 && ringTx.address() != ringRx.address()) {
                Dpdk.RING_FREE.invokeExact(ringTx);
            }
            if (pool.address() != 0) {
                Dpdk.POOL_FREE.invokeExact(pool);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("cleanup failed: " + t, t);
        }
    }

    /** {@return the mbuf pool, for code that makes packets} */
    public MemorySegment pool() {
        return pool;
    }

    /** {@return the port's DPDK id} */
    public int id() {
        return id;
    }

    /** {@return the MAC address as 48 bits} */
    public long mac() {
        return mac;
    }

    /** {@return the MAC address as text} */
    public String macText() {
        return Engine.macText(mac);
    }

    /** {@return whether RSS was programmed} */
    public boolean rss() {
        return rss;
    }

    /** {@return whether the link is up} */
    public boolean linkUp() {
        if (closed) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 2);
            int rc = (int) Dpdk.PORT_LINK.invokeExact(id, out);
            return rc == 0 && out.getAtIndex(ValueLayout.JAVA_LONG, 0) != 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Reads the device's counters.
     *
     * @param perQueue the software per-queue counters to attach ({rx packets, rx bytes, tx packets, tx
     *     bytes, rx dropped} per queue)
     * @return the counters
     */
    public PortStats stats(long[][] perQueue) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG, 7 + 5L * 16);
            int rc = (int) Dpdk.PORT_STATS.invokeExact(id, out, 0);
            if (rc < 0) {
                throw new IllegalStateException("port " + name + ": cannot read counters: " + Dpdk.strerror(rc));
            }
            List<QueueStats> qs = new ArrayList<>();
            for (int q = 0; q < perQueue.length; q++) {
                long[] c = perQueue[q];
                qs.add(new QueueStats(q, c[0], c[1], c[2], c[3], c[4]));
            }
            return new PortStats(name, get(out, 0), get(out, 1), get(out, 2), get(out, 3), get(out, 4), get(out, 5),
                    get(out, 6), qs);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long get(MemorySegment out, int i) {
        return Math.max(0, out.getAtIndex(ValueLayout.JAVA_LONG, i));
    }

    /** {@return the mbufs of the pool not in use} */
    public int poolAvailable() {
        try {
            return (int) Dpdk.POOL_AVAIL.invokeExact(pool);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Stops and closes the port and frees its vdev, rings and pool. Call once, after the workers stopped. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            // mbufs left in a ring port's rings go back to their pools before the pools go
            MemorySegment objs = arena.allocate(ValueLayout.ADDRESS, 32);
            for (MemorySegment ring : new MemorySegment[]{ringRx, ringTx}) {
                if (ring.address() == 0) {
                    continue;
                }
                for (int n; (n = (int) Dpdk.RING_DEQUEUE.invokeExact(ring, objs, 32)) > 0;) {
                    Dpdk.FREE_BULK.invokeExact(objs, n);
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException("port " + name + ": cannot drain its rings: " + t, t);
        }
        cleanup(id & 0xffff, vdevName, ringRx, ringTx, pool);
    }

    @Override
    public String toString() {
        return name + "(" + device + ", port " + id + ")";
    }
}
