/**
 * UDP services through the traversal library: {@link dev.natgw.traversal.udp.UdpForward} carries each local UDP flow
 * over a stream of its own to a key, and {@link dev.natgw.traversal.udp.UdpExpose} hands each such stream to a local
 * UDP service through a socket of its own, both bounded by {@link dev.natgw.traversal.udp.UdpLimits}.
 */
@Version("1.0.0")
package dev.natgw.traversal.udp;

import org.osgi.annotation.versioning.Version;
