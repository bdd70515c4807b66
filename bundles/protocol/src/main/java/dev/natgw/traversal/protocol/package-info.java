/**
 * The codec of the natgw forwarding protocol, version 1, as {@code docs/protocol.md} specifies it: frames, payload
 * fields, message types, error codes, the Ed25519 key scheme, the proofs that name the forwarder (its
 * certificate's fingerprint, {@link dev.natgw.traversal.protocol.ForwarderIdentity}), the self-signed certificate of
 * an Ed25519 key and the owner's signature of registry values.
 */
@Version("1.2.0")
package dev.natgw.traversal.protocol;

import org.osgi.annotation.versioning.Version;
