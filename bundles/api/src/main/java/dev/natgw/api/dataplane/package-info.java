/**
 * The packet dataplane: its ports, workers, statistics and capture through
 * {@link dev.natgw.api.dataplane.Dataplane}, and the {@link dev.natgw.api.dataplane.PacketStage}
 * whiteboard through which other bundles handle packets and claim the addresses they own.
 */
@Version("1.3.0")
package dev.natgw.api.dataplane;

import org.osgi.annotation.versioning.Version;
