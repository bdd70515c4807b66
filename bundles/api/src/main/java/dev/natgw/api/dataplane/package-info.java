/**
 * The packet dataplane: its ports, workers, statistics and capture through
 * {@link dev.natgw.api.dataplane.Dataplane}, and the {@link dev.natgw.api.dataplane.PacketStage}
 * whiteboard through which other bundles handle packets.
 */
@Version("1.2.0")
package dev.natgw.api.dataplane;

import org.osgi.annotation.versioning.Version;
