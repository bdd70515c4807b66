package dev.natgw.nat.export;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration of NAT event export (PID {@code dev.natgw.nat.export}). {@link ExportSettings#of} checks it.
 */
@ObjectClassDefinition(name = "natgw NAT event export", description = "Sends each NAT event (mapping created or"
        + " deleted, session refused because the pool is exhausted or the inside host reached its quota) to IPFIX"
        + " collectors (RFC 7011, with the NAT information elements of RFC 8158) and to syslog servers (RFC 5424 over"
        + " UDP), besides the event log. Events are queued for a sending thread; when the queue is full or a"
        + " collector is slow or absent, events are lost and counted, and the translator's workers never wait.")
public @interface ExportConfig {

    @AttributeDefinition(name = "IPFIX collectors", description = "Where IPFIX messages go: host:port, separated by"
            + " commas in a .cfg file, at most 8 (4739 is IPFIX's port, nfcapd listens on 9995 or 2055). Empty sends"
            + " no IPFIX. Host names are resolved when the configuration is applied.")
    String[] ipfix_collectors() default {};

    @AttributeDefinition(name = "IPFIX transport", description = "UDP sends each message as one datagram and repeats"
            + " the templates every ipfix.template.refresh seconds; TCP keeps a connection to each collector, sends the"
            + " templates once per connection, reconnects after a failure, and drops messages (counted) while the"
            + " connection is down or its send buffer (1 MiB) is full.", options = {
                    @Option(label = "UDP", value = "UDP"), @Option(label = "TCP", value = "TCP")})
    String ipfix_transport() default "UDP";

    @AttributeDefinition(name = "Observation domain", description = "The IPFIX observation domain id natgw's"
            + " messages carry, so a collector can tell several appliances apart.", min = "0")
    long ipfix_observation_domain() default 1;

    @AttributeDefinition(name = "Template refresh (s)", description = "Seconds between template sets sent over UDP"
            + " (RFC 7011 section 8.4), so a collector that starts later learns them.", min = "1", max = "3600")
    int ipfix_template_refresh() default 60;

    @AttributeDefinition(name = "IPFIX message size", description = "The largest IPFIX message in bytes; 1400 keeps a"
            + " UDP datagram within an Ethernet MTU (no IP fragmentation).", min = "256", max = "65535")
    int ipfix_message_size() default 1400;

    @AttributeDefinition(name = "Syslog servers", description = "Where syslog messages go: host:port over UDP"
            + " (RFC 5426; 514 is syslog's port), separated by commas, at most 8. Empty sends no syslog.")
    String[] syslog_servers() default {};

    @AttributeDefinition(name = "Syslog facility", description = "The syslog facility of the messages: 16 to 23 are"
            + " local0 to local7 (RFC 5424 table 1). Severity is always informational.", min = "0", max = "23")
    int syslog_facility() default 16;

    @AttributeDefinition(name = "Syslog host name", description = "The HOSTNAME field of syslog messages; empty uses"
            + " the machine's name.")
    String syslog_hostname() default "";

    @AttributeDefinition(name = "Queue size", description = "Events waiting for the sending thread; events beyond it"
            + " are lost and counted (queue-full).", min = "1", max = "4194304")
    int queue_size() default 65536;
}
