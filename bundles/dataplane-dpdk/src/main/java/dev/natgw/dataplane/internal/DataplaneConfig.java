package dev.natgw.dataplane.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the DPDK dataplane (PID {@code dev.natgw.dataplane}). DataplaneSettings checks it.
 * The defaults are the demo topology that {@code ./natgw run} builds.
 */
@ObjectClassDefinition(name = "natgw DPDK dataplane", description = "The two DPDK ports of the gateway, their"
        + " addresses and next hops, the worker cores, and EAL's memory. A change restarts the ports (EAL stays up).")
public @interface DataplaneConfig {

    @AttributeDefinition(name = "Inside device", description = "The inside port: auto,iface=NAME (net_af_xdp on the"
            + " interface, or net_af_packet where AF_XDP cannot open it, with a warning saying why), a PCI address"
            + " (0000:03:00.0, needs eal.pci=true), a DPDK vdev string such as net_af_xdp,iface=eth1 or"
            + " net_af_packet,iface=eth1 or net_tap,iface=ngw0 or net_pcap,rx_pcap=in.pcap,tx_pcap=out.pcap, or"
            + " ring:NAME for in-process rings.")
    String inside_device() default "auto,iface=ngwi0";

    @AttributeDefinition(name = "Inside address", description = "The gateway's address and prefix on the inside,"
            + " which inside hosts use as their default route.")
    String inside_address() default "198.18.0.1/24";

    @AttributeDefinition(name = "Inside gateway", description = "Next hop for inside destinations off the inside"
            + " network; empty for none.", required = false)
    String inside_gateway() default "";

    @AttributeDefinition(name = "Inside gateway MAC", description = "Pins the inside gateway's MAC address (such as"
            + " 02:00:00:00:01:02): natgw then never asks for it and no ARP packet can change it; empty to learn it"
            + " by ARP. Needs inside.gateway.", required = false)
    String inside_gateway_mac() default "";

    @AttributeDefinition(name = "Inside MTU", min = "576", max = "9000")
    int inside_mtu() default 1500;

    @AttributeDefinition(name = "Outside device", description = "The outside port, as for the inside device.")
    String outside_device() default "auto,iface=ngwo0";

    @AttributeDefinition(name = "Outside address", description = "The gateway's own address and prefix on the"
            + " outside. The NAT pools' global addresses are answered for by ARP on this port as well.")
    String outside_address() default "198.19.0.1/25";

    @AttributeDefinition(name = "Outside gateway", description = "The default route's next hop; empty for none"
            + " (then only the outside network is reachable).", required = false)
    String outside_gateway() default "198.19.0.2";

    @AttributeDefinition(name = "Outside gateway MAC", description = "Pins the outside gateway's MAC address (such"
            + " as 02:00:00:00:02:01): natgw then never asks for it and no ARP packet from the outside segment can"
            + " redirect the translated traffic; empty to learn it by ARP (a reply is taken only to natgw's own"
            + " request, and never changes a known MAC). Needs outside.gateway.", required = false)
    String outside_gateway_mac() default "";

    @AttributeDefinition(name = "Outside MTU", description = "Packets longer than this with DF set get ICMP"
            + " fragmentation needed; longer ones without DF (datagrams the kernel reassembled for a net_af_packet"
            + " port) are sent in fragments of this size.", min = "576", max = "9000")
    int outside_mtu() default 1500;

    @AttributeDefinition(name = "Worker CPUs", description = "One worker per listed CPU, such as 1 or 2,3; auto"
            + " means one worker on the last CPU; none means one worker, not pinned. Each worker needs one queue on"
            + " each port.")
    String workers_cpus() default "auto";

    @AttributeDefinition(name = "Mbufs per port", description = "Packet buffers in each port's pool (2 KiB each; 8 KiB on a"
            + " net_af_packet port, which receives datagrams the kernel reassembled).", min = "1023")
    int mbufs() default 8191;

    @AttributeDefinition(name = "EAL memory (MiB)", description = "Memory EAL reserves at its first start in this"
            + " JVM (-m); later changes need a restart of natgw.", min = "64")
    int eal_memory_mb() default 512;

    @AttributeDefinition(name = "Extra EAL arguments", description = "Added to EAL's arguments at its first start"
            + " in this JVM, separated by spaces.", required = false)
    String eal_args() default "";

    @AttributeDefinition(name = "Use PCI devices", description = "Let EAL probe PCI NICs (it takes every NIC bound"
            + " to a DPDK driver).")
    boolean eal_pci() default false;

    @AttributeDefinition(name = "Neighbour capacity", description = "Most ARP entries per port; when full, new"
            + " neighbours are refused and counted.", min = "16")
    int neighbours_max() default 1024;

    @AttributeDefinition(name = "Neighbour timeout (s)", description = "Seconds an ARP entry lives without an ARP"
            + " packet from its host confirming it. natgw asks again before it runs out; a neighbour whose MAC"
            + " changed is learnt at that request, not from its own announcements.", min = "1")
    int neighbours_timeout_seconds() default 300;

    @AttributeDefinition(name = "Idle sleep (µs)", description = "How long a worker that found nothing in 256 polls"
            + " in a row sleeps before polling again; 0 polls without pause (a dedicated core). The default shares"
            + " the CPU with the rest of a small machine at the cost of some microseconds of latency after idle.", min = "0", max = "100000")
    int idle_sleep_micros() default 20;

    @AttributeDefinition(name = "Stage hand-over (ms)", description = "How long a packet stage whose service goes"
            + " away (its bundle is being updated) keeps running until a stage of the same name replaces it in one"
            + " step; after that it is removed. 0 removes it at once.", min = "0", max = "600000")
    int stage_handover_millis() default 5000;
}
