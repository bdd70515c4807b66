/**
 * The key registry, in which servers and forwarders announce values under keys for a limited time
 * and others look them up or watch them, through {@link dev.natgw.api.registry.Registry}.
 */
@Version("1.2.0")
package dev.natgw.api.registry;

import org.osgi.annotation.versioning.Version;
