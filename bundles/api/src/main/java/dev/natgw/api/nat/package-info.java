/**
 * The NAPT translator: address pools, sessions, static mappings, timeouts and counters, read
 * through {@link dev.natgw.api.nat.NatService} and changed through
 * {@link dev.natgw.api.nat.NatAdminService}.
 */
@Version("1.5.0")
package dev.natgw.api.nat;

import org.osgi.annotation.versioning.Version;
