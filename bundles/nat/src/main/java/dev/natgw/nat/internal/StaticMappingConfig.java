package dev.natgw.nat.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One static mapping (port forward), a factory configuration of PID {@code dev.natgw.nat.static}: one instance per
 * mapping, such as {@code dev.natgw.nat.static~web.cfg}. {@link StaticMappingConfigs#toMapping} checks it.
 */
@ObjectClassDefinition(name = "natgw NAT static mapping", description = "A port forward: outside hosts that reach"
        + " the global endpoint reach the inside endpoint (RFC 4787 and RFC 5382 call it a static mapping). One"
        + " configuration per mapping; nat:static-add writes one. A mapping whose protocol and global endpoint, or"
        + " inside endpoint, another already holds is refused, logged and listed by nat:statics until that one goes.")
public @interface StaticMappingConfig {

    @AttributeDefinition(name = "Protocol", description = "TCP or UDP.", options = {
            @Option(label = "TCP", value = "TCP"), @Option(label = "UDP", value = "UDP")})
    String protocol() default "TCP";

    @AttributeDefinition(name = "Global endpoint", description = "The outside address:port outside hosts send to,"
            + " such as 198.19.0.1:8080; port 1..65535. Usually an address of a pool, whose port is then kept out of"
            + " the pool. Empty by default, and a mapping needs one.")
    String global() default "";

    @AttributeDefinition(name = "Inside endpoint", description = "The inside server's address:port, such as"
            + " 198.18.0.10:80; port 1..65535. Empty by default, and a mapping needs one.")
    String inside() default "";
}
