package dev.natgw.core;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the appliance status service (PID {@code dev.natgw.status}). */
@ObjectClassDefinition(name = "natgw status", description = "How natgw reports its own state (natgw:status, console header).")
public @interface StatusConfig {

    @AttributeDefinition(name = "DPDK library directories", description = "Extra directories, separated by ':', searched for DPDK's librte_eal.so before the"
            + " dynamic linker's own (LD_LIBRARY_PATH, /etc/ld.so.conf, /usr/lib/<arch>). Use it for a DPDK"
            + " built from source, for example /usr/local/lib/x86_64-linux-gnu.")
    String dpdk_library_path() default "";
}
