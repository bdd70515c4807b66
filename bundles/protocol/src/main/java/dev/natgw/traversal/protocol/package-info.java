/**
 * The codec of the natgw forwarding protocol, version 1, as {@code docs/protocol.md} specifies it: frames, payload
 * fields, message types, error codes, the Ed25519 key scheme and
 * the owner's signature of registry values.
 */
@Version("1.2.0")
package dev.natgw.traversal.protocol;

import org.osgi.annotation.versioning.Version;
