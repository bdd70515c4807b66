package dev.natgw.dataplane.dpdk;

/**
 * The L3 facts of the two ports that every worker reads: addresses, connected networks, next hops,
 * MTUs, MACs and neighbour tables, indexed by port role code (0 inside, 1 outside). Immutable but for
 * the neighbour tables (lock-free) and the addresses the stages claim (republished whole through a
 * volatile field).
 */
final class Interfaces {
    final int[] address = new int[2];
    final int[] netmask = new int[2];
    final int[] gateway = new int[2];
    final int[] mtu = new int[2];
    final long[] mac = new long[2];
    final Neighbours[] neighbours = new Neighbours[2];
    /** Addresses the stages claim, answered for on the outside, as [first0, last0, first1, last1, ...], unsigned. */
    private volatile int[] proxyRanges = new int[0];

    Interfaces(int insideAddress, int insidePrefix, int insideGateway, int insideMtu, int outsideAddress,
            int outsidePrefix, int outsideGateway, int outsideMtu, int neighbourCapacity) {
        address[0] = insideAddress;
        address[1] = outsideAddress;
        netmask[0] = mask(insidePrefix);
        netmask[1] = mask(outsidePrefix);
        gateway[0] = insideGateway;
        gateway[1] = outsideGateway;
        mtu[0] = insideMtu;
        mtu[1] = outsideMtu;
        neighbours[0] = new Neighbours(neighbourCapacity);
        neighbours[1] = new Neighbours(neighbourCapacity);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** {@return whether ip is on the connected network of the port} */
    boolean connected(int role, int ip) {
        return (ip & netmask[role]) == (address[role] & netmask[role]);
    }

    /** {@return the next hop towards ip out of the port: ip itself when connected, else the gateway (0: none)} */
    int nextHop(int role, int ip) {
        return connected(role, ip) ? ip : gateway[role];
    }

    /** {@return whether the port answers ARP for ip} */
    boolean answersArp(int role, int ip) {
        if (ip == address[role]) {
            return true;
        }
        return role == 1 && isClaimed(ip);
    }

    /** {@return whether a stage claims ip (the NAT: a global address of one of its pools)} */
    boolean isClaimed(int ip) {
        int[] r = proxyRanges;
        for (int i = 0; i < r.length; i += 2) {
            if (Integer.compareUnsigned(ip, r[i]) >= 0 && Integer.compareUnsigned(ip, r[i + 1]) <= 0) {
                return true;
            }
        }
        return false;
    }

    void setProxyRanges(int[] ranges) {
        proxyRanges = ranges.clone();
    }
}
