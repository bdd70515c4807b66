/**
 * What the appliance is made of right now: its bundles, which natgw services are up, the JDK and the DPDK libraries
 * found on the machine.
 */
@Version("1.0.0")
package dev.natgw.api.status;

import org.osgi.annotation.versioning.Version;
