package dev.natgw.api.status;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reports the state of the natgw appliance: the answer behind {@code natgw:status} and the console's header.
 *
 * <p>Control plane only: safe to call from any thread, never from a packet worker (it walks the OSGi framework and
 * the file system). Each call takes a fresh snapshot; nothing is cached between calls.
 */
@ProviderType
public interface StatusService {

    /** @return a snapshot of the appliance taken now; never {@code null} */
    ApplianceStatus status();
}
