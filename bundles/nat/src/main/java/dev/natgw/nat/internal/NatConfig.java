package dev.natgw.nat.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration of the NAPT translator (PID {@code dev.natgw.nat}). {@link NatSettings#of} checks it.
 *
 * <p>
 * There is no {@code pid} here: the manager designates this class for its configuration PID, and bnd
 * reports a duplicate PID if both name one.
 */
@ObjectClassDefinition(name = "natgw NAT translator", description = "Sizes of the NAPT translator's tables,"
        + " session timeouts, port hold-down, what happens to protocols without ports, and the NAT event log"
        + " (RFC 6888). Address pools are configured separately, one dev.natgw.nat.pool~<name> each.")
public @interface NatConfig {

    @AttributeDefinition(name = "Session capacity", description = "The most sessions alive at once, all workers"
            + " together; each worker gets an equal share. Sessions beyond it are refused and counted under"
            + " session-table-full. Costs at most 128 bytes of off-heap memory per session.", min = "1")
    int sessions_max() default 1048576;

    @AttributeDefinition(name = "Inside host capacity", description = "The most inside hosts whose port counts are"
            + " tracked for the per-host quota, all workers together.", min = "1")
    int hosts_max() default 65536;

    @AttributeDefinition(name = "UDP timeout (s)", description = "Seconds a UDP session lives without a packet"
            + " (RFC 4787 REQ-5: at least 120, 300 or more recommended).", min = "1")
    int timeout_udp() default 300;

    @AttributeDefinition(name = "UDP unanswered timeout (s)", description = "Seconds a UDP session opened by an"
            + " outside packet lives until the inside host answers it; packets from outside do not extend it (RFC 4787"
            + " REQ-6 asks for outbound refresh), so spoofed packets cannot hold table space. Once answered, the"
            + " session lives timeout.udp.", min = "1")
    int timeout_udp_unanswered() default 30;

    @AttributeDefinition(name = "TCP established timeout (s)", description = "Seconds an established or half-closed"
            + " TCP session lives without a packet (RFC 5382 REQ-5: at least 7440).", min = "1")
    int timeout_tcp_established() default 7440;

    @AttributeDefinition(name = "TCP transitory timeout (s)", description = "Seconds an opening, closing or reset TCP"
            + " session lives without a packet (RFC 5382 REQ-5, RFC 7857: at least 240).", min = "1")
    int timeout_tcp_transitory() default 240;

    @AttributeDefinition(name = "ICMP timeout (s)", description = "Seconds an ICMP echo session lives without a"
            + " packet (RFC 5508: at least 60).", min = "1")
    int timeout_icmp() default 60;

    @AttributeDefinition(name = "TCP SYN hold (s)", description = "Seconds an unsolicited outside SYN is held,"
            + " waiting for the inside host's own SYN (simultaneous open), before it is refused (RFC 5382 REQ-4:"
            + " at least 6).", min = "1")
    int timeout_tcp_syn_hold() default 6;

    @AttributeDefinition(name = "Port hold-down (s)", description = "Seconds a freed outside port stays out of"
            + " service, so late packets of the old session cannot reach a new one. 0 reuses ports at once.", min = "0")
    int port_hold_down() default 30;

    @AttributeDefinition(name = "Port hold-down capacity", description = "The most freed ports waiting out their"
            + " hold-down at once, all workers together; when full, the oldest is released early.", min = "1")
    int port_hold_capacity() default 262144;

    @AttributeDefinition(name = "Other protocols", description = "What happens to IP protocols other than TCP, UDP"
            + " and ICMP: ADDRESS_ONLY translates the address only, DROP drops them (counted as other-protocol).", options = {
                    @Option(label = "Translate the address only", value = "ADDRESS_ONLY"),
                    @Option(label = "Drop", value = "DROP")})
    String other_protocols() default "DROP";

    @AttributeDefinition(name = "Inside prefixes", description = "The addresses inside hosts send from: ranges"
            + " 10.0.0.0/8, 198.18.0.1-198.18.0.99 or single addresses, separated by commas in a .cfg file, at most"
            + " 64. An inside packet from any other source is dropped and counted as source-not-inside, so a"
            + " misconfigured or spoofing host takes no port and no session. The default is the special-use ranges"
            + " inside networks are numbered from (RFC 1918, RFC 6598, RFC 2544); list the appliance's own inside"
            + " networks, or 0.0.0.0/0 to accept any source.")
    String[] inside_prefixes() default {"10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16",
            "198.18.0.0/15"};

    @AttributeDefinition(name = "Inside ICMP errors", description = "Who may send an ICMP error (unreachable, time"
            + " exceeded) from inside about a session: QUOTED_DESTINATION only the host the quoted packet was sent"
            + " to, so no inside host can tear down or probe another host's sessions; INSIDE_PREFIXES any source in"
            + " the inside prefixes, for inside networks behind routers that report on their hosts' behalf. Refused"
            + " errors are counted as icmp-error-source.", options = {
                    @Option(label = "Only the quoted packet's destination", value = "QUOTED_DESTINATION"),
                    @Option(label = "Any source in the inside prefixes", value = "INSIDE_PREFIXES")})
    String inside_icmp_errors() default "QUOTED_DESTINATION";

    @AttributeDefinition(name = "Refresh direction", description = "Which packets keep a session and its mapping"
            + " alive (RFC 4787 REQ-6): OUTBOUND only packets from the inside host, so an outside sender alone can"
            + " neither hold a port nor keep table space; BOTH packets either way. Sessions an outside packet"
            + " opened live timeout.udp.unanswered until the inside host answers, whichever is chosen.", options = {
                    @Option(label = "Outbound only", value = "OUTBOUND"),
                    @Option(label = "Both directions", value = "BOTH")})
    String refresh_direction() default "OUTBOUND";

    @AttributeDefinition(name = "ICMP answers per second", description = "How many refused flows (pool exhausted,"
            + " quota reached) each worker answers with an ICMP destination unreachable per second, where the pool"
            + " answers at all (icmp.on.exhaustion); beyond it a refusal is dropped silently and counted as"
            + " icmp-rate-limited, so a host that keeps opening flows cannot make natgw an ICMP generator. 0 answers"
            + " none.", min = "0")
    int icmp_answers_per_second() default 100;

    @AttributeDefinition(name = "Fragment states per worker", description = "Fragmented TCP, UDP and ICMP datagrams"
            + " each worker translates at once (RFC 4787 REQ-14). Only a datagram's first fragment carries the ports:"
            + " the worker remembers what it did with it and does the same to the later fragments, holding those that"
            + " come first. A fragment of a datagram beyond this bound is dropped and counted as fragment-table-full."
            + " Costs about 330 bytes per state with 64 fragments per datagram (4 bytes per fragment more or less)."
            + " 0 drops every fragment (counted as fragment). Takes effect when the dataplane next attaches the"
            + " translator.", min = "0", max = "1048576")
    int fragment_states() default 1024;

    @AttributeDefinition(name = "Held fragments per worker", description = "Fragments each worker holds because they"
            + " came before their datagram's first fragment, out of order. Beyond it they are dropped and counted as"
            + " fragment-table-full; each holds one packet buffer of the dataplane. Takes effect when the dataplane"
            + " next attaches the translator.", min = "0", max = "65536")
    int fragment_held() default 256;

    @AttributeDefinition(name = "Fragments per datagram", description = "The most fragments of one datagram (a"
            + " 65,535-byte datagram is 45 fragments at MTU 1500). A datagram with more is dropped whole and counted as"
            + " fragment-too-many. Takes effect when the dataplane next attaches the translator.", min = "2", max = "1024")
    int fragment_max_per_datagram() default 64;

    @AttributeDefinition(name = "Fragment timeout (s)", description = "Seconds a datagram's fragment state lives"
            + " from its first fragment seen; fragments still held then are dropped and counted as fragment-timeout."
            + " Short, as fragment state is a denial-of-service target (RFC 4787 REQ-14a); the state of a datagram"
            + " whose every byte went through is freed at once.", min = "1")
    int fragment_timeout() default 5;

    @AttributeDefinition(name = "NAT event log", description = "Write one line per mapping created or deleted and per"
            + " refusal to the logger dev.natgw.nat.events (RFC 6888), so an outside address and port can be"
            + " traced back to an inside host.")
    boolean event_log() default true;

    @AttributeDefinition(name = "Event ring size", description = "Events each worker buffers for the logging thread;"
            + " events beyond it are lost and counted as event-log-full.", min = "1")
    int event_ring() default 65536;
}
