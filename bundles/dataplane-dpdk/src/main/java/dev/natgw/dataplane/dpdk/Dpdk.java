package dev.natgw.dataplane.dpdk;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The native calls: DPDK's own functions bound directly, and natgw's C shim for what DPDK only has
 * as static inline functions (the bursts) or as structures (port set-up, counters, the mbuf layout).
 *
 * <p>
 * DPDK's libraries are looked up in the global arena, so they stay loaded for the life of the JVM, as
 * EAL must. The shim is extracted from this bundle's jar and looked up in an automatic arena held by
 * this class: it unloads when this class, and so this bundle revision's class loader, is collected.
 * A class initialisation failure here (no DPDK installed, no shim in the jar) surfaces as an
 * {@link ExceptionInInitializerError} whose cause says what is missing.
 */
public final class Dpdk {
    /** The library DPDK 22.11 installs; its ABI version is 23. */
    static final String ABI = "23";
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Arena SHIM_ARENA = Arena.ofAuto();
    private static final SymbolLookup SHIM = loadShim();
    private static final SymbolLookup RTE = loadDpdk();

    /** Every address, so frames and mbufs are read at their absolute address. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final Linker.Option FAST = Linker.Option.critical(false);

    // shim: burst-sized calls
    static final MethodHandle RX_BURST = shim("natgw_rx_burst",
            FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT), FAST);
    static final MethodHandle TX_BURST = shim("natgw_tx_burst",
            FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT), FAST);
    /** Like TX_BURST, cutting IPv4 packets longer than the MTU into fragments first; frees what is not sent. */
    static final MethodHandle TX_BURST_FRAG = shim("natgw_tx_burst_frag",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT, JAVA_SHORT, ADDRESS), FAST);
    static final MethodHandle ALLOC_BULK = shim("natgw_alloc_bulk",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), FAST);
    static final MethodHandle FREE_BULK = shim("natgw_free_bulk", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT),
            FAST);
    static final MethodHandle RING_ENQUEUE = shim("natgw_ring_enqueue",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), FAST);
    static final MethodHandle RING_DEQUEUE = shim("natgw_ring_dequeue",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), FAST);
    // shim: control calls
    static final MethodHandle LAYOUT = shim("natgw_layout", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle ERRNO = shim("natgw_errno", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle PORT_INFO = shim("natgw_port_info",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle PORT_START = shim("natgw_port_start",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT,
                    ADDRESS, JAVA_BYTE, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle PORT_STATS = shim("natgw_port_stats",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, JAVA_INT));
    static final MethodHandle PORT_LINK = shim("natgw_port_link",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RING_CREATE = shim("natgw_ring_create",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle RING_PORT = shim("natgw_ring_port",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle BENCH_LOOP = shim("natgw_bench_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_SHORT,
            JAVA_SHORT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_SHORT, ADDRESS));
    static final MethodHandle FILL = shim("natgw_fill",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_SHORT));
    // DPDK, bound directly
    static final MethodHandle EAL_INIT = rte("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle THREAD_REGISTER = rte("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle THREAD_UNREGISTER = rte("rte_thread_unregister", FunctionDescriptor.ofVoid());
    static final MethodHandle VDEV_INIT = rte("rte_vdev_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle VDEV_UNINIT = rte("rte_vdev_uninit", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle PORT_BY_NAME = rte("rte_eth_dev_get_port_by_name",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle MACADDR_GET = rte("rte_eth_macaddr_get",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle DEV_STOP = rte("rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle DEV_CLOSE = rte("rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle POOL_CREATE = rte("rte_pktmbuf_pool_create",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    static final MethodHandle POOL_FREE = rte("rte_mempool_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle POOL_AVAIL = rte("rte_mempool_avail_count", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle STRERROR = rte("rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle RING_FREE = rte("rte_ring_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle RING_LOOKUP = rte("rte_ring_lookup", FunctionDescriptor.of(ADDRESS, ADDRESS));

    private Dpdk() {
    }

    private static SymbolLookup loadShim() {
        String resource = "/native/libnatgw_dpdk.so";
        try (InputStream in = Dpdk.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the DPDK shim " + resource + " is not in this bundle's jar");
            }
            Path tmp = Files.createTempFile("natgw_dpdk", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                // once loaded the file is not needed: each bundle revision loads its own copy
                return SymbolLookup.libraryLookup(tmp, SHIM_ARENA);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the DPDK shim (" + e.getMessage()
                    + "); is DPDK installed? apt-get install -y dpdk libdpdk-dev", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the DPDK shim: " + e.getMessage(), e);
        }
    }

    private static SymbolLookup loadDpdk() {
        SymbolLookup lookup = null;
        for (String lib : new String[]{"librte_eal", "librte_ethdev", "librte_mbuf", "librte_mempool",
                "librte_ring", "librte_bus_vdev"}) {
            String file = lib + ".so." + ABI;
            try {
                SymbolLookup one = SymbolLookup.libraryLookup(file, Arena.global());
                lookup = lookup == null ? one : lookup.or(one);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "cannot load " + file + " (DPDK 22.11); install it with: apt-get install -y dpdk", e);
            }
        }
        return lookup;
    }

    private static MethodHandle shim(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(SHIM.find(name)
                .orElseThrow(() -> new IllegalStateException("the DPDK shim lacks " + name)), fd, options);
    }

    private static MethodHandle rte(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(
                RTE.find(name).orElseThrow(() -> new IllegalStateException("DPDK lacks the function " + name)), fd);
    }

    /** {@return DPDK's rte_errno of the calling thread} */
    static int errno() {
        try {
            return (int) ERRNO.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Describes an error number as DPDK does.
     *
     * @param errno a positive or negative error number
     * @return DPDK's text for it, with the number
     */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(Math.abs(errno));
            return s.reinterpret(256).getString(0) + " (" + Math.abs(errno) + ")";
        } catch (Throwable t) {
            return "error " + errno;
        }
    }
}
