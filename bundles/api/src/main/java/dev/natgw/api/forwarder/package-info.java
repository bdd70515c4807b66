/**
 * The forwarder that relays clients to servers which cannot accept inbound connections, observed
 * through {@link dev.natgw.api.forwarder.ForwarderService}.
 */
@Version("1.3.0")
package dev.natgw.api.forwarder;

import org.osgi.annotation.versioning.Version;
