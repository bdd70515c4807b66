/**
 * The NAT traversal library: {@link dev.natgw.traversal.TraversalServer} publishes a server under its key, directly
 * when it is reachable and through a natgw forwarder when not, and {@link dev.natgw.traversal.TraversalClient}
 * reaches a key; both hand out ordinary sockets.
 */
@Version("1.4.0")
package dev.natgw.traversal;

import org.osgi.annotation.versioning.Version;
