package dev.natgw.api.forwarder;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Decides who may register with the forwarder: tenants, whose servers prove a credential the operator issued, and
 * allow-listed server keys. Changes are kept across restarts and take effect at once, on live connections too: a
 * server whose admission is withdrawn is disconnected and its key unregistered. Control-plane; safe from any thread.
 *
 * @since 1.2
 */
@ProviderType
public interface ForwarderAdminService extends ForwarderService {

    /**
     * Adds a tenant and issues its credential. Only a public key is kept: the credential's text is returned here and
     * nowhere else.
     *
     * @return the credential's text, {@code natgw-tenant-v1:NAME:SECRET}, for the tenant's servers
     * @throws IllegalArgumentException if the name is not valid or is taken
     */
    String addTenant(String name, TenantQuota quota);

    /**
     * Removes a tenant: its credential no longer registers, its servers are disconnected, and allow-listed keys that
     * counted against it lose their admission too.
     *
     * @return false if there was no such tenant
     */
    boolean removeTenant(String name);

    /** {@return the tenants, by name} */
    List<TenantStatus> tenants();

    /**
     * Allow-lists a server key.
     *
     * @param tenant the tenant whose quota it counts against, or empty for none
     * @throws IllegalArgumentException if the key is not a key or the tenant does not exist
     */
    void allow(String key, String tenant);

    /**
     * Withdraws a key's allow-listing; if it is registered by it, it is disconnected and unregistered.
     *
     * @return false if the key was not allow-listed
     */
    boolean revoke(String key);

    /** {@return the allow-listed keys, by key} */
    List<AllowedKey> allowed();
}
