package dev.natgw.api.dataplane;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A dataplane port as configured and as it is now.
 *
 * @param name the port's name, such as {@code "inside"}
 * @param role the side it faces
 * @param device the DPDK device: a PCI address ({@code "0000:03:00.0"}) or a vdev string
 *     ({@code "net_tap0,iface=x"})
 * @param mac the MAC address, six colon-separated hex pairs
 * @param rxQueues the receive queues, at least 1
 * @param txQueues the transmit queues, at least 1
 * @param mtu the MTU in bytes, 68..65535
 * @param up whether the link is up
 */
public record PortInfo(String name, PortRole role, String device, String mac, int rxQueues, int txQueues, int mtu,
        boolean up) {
    private static final Pattern MAC = Pattern.compile("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}");

    /** Validates. */
    public PortInfo {
        Checks.notBlank("name", name);
        Objects.requireNonNull(role, "role");
        Checks.notBlank("device", device);
        Objects.requireNonNull(mac, "mac");
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("mac must be six colon-separated hex pairs, was " + mac);
        }
        if (rxQueues < 1) {
            throw new IllegalArgumentException("rxQueues must be >= 1, was " + rxQueues);
        }
        if (txQueues < 1) {
            throw new IllegalArgumentException("txQueues must be >= 1, was " + txQueues);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be 68..65535, was " + mtu);
        }
    }
}
