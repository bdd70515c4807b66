/**
 * The codec of the natgw forwarding protocol, version 1, as {@code docs/protocol.md} specifies it: frames, payload
 * fields, message types, error codes and the Ed25519 key scheme.
 */
@Version("1.1.0")
package dev.natgw.traversal.protocol;

import org.osgi.annotation.versioning.Version;
