package dev.natgw.api.registry;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Observes the registry's HTTP face: how it is reached and which certificate it presents. Safe from any thread.
 */
@ProviderType
public interface RegistryFace {
    /** {@return how the face is reached now} */
    RegistryFaceInfo info();
}
