package dev.natgw.console.internal;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryFace;
import dev.natgw.api.status.StatusService;

/**
 * The natgw services as the console sees them right now: each may be absent, and comes and goes as its bundle
 * starts, stops or is updated. The bundle's component sets them; views and /metrics read them. Views are created by
 * Vaadin, not by DS, so this bridge is how they reach the services. Thread-safe: every field is volatile.
 */
public final class ServiceBridge {
    private volatile NatService nat;
    private volatile Dataplane dataplane;
    private volatile ForwarderService forwarder;
    private volatile Registry registry;
    private volatile RegistryFace registryFace;
    private volatile StatusService status;

    /** {@return the NAT service, or null while it is absent} */
    public NatService nat() {
        return nat;
    }

    /** {@return the dataplane, or null while it is absent} */
    public Dataplane dataplane() {
        return dataplane;
    }

    /** {@return the forwarder, or null while it is absent} */
    public ForwarderService forwarder() {
        return forwarder;
    }

    /** {@return the registry, or null while it is absent} */
    public Registry registry() {
        return registry;
    }

    /** {@return the registry's HTTP face, or null while it is absent} */
    public RegistryFace registryFace() {
        return registryFace;
    }

    /** {@return the status service, or null while it is absent} */
    public StatusService status() {
        return status;
    }

    /** @param s the NAT service, or null when it went away */
    public void nat(NatService s) {
        nat = s;
    }

    /** @param s the dataplane, or null when it went away */
    public void dataplane(Dataplane s) {
        dataplane = s;
    }

    /** @param s the forwarder, or null when it went away */
    public void forwarder(ForwarderService s) {
        forwarder = s;
    }

    /** @param s the registry, or null when it went away */
    public void registry(Registry s) {
        registry = s;
    }

    /** @param s the registry's HTTP face, or null when it went away */
    public void registryFace(RegistryFace s) {
        registryFace = s;
    }

    /** @param s the status service, or null when it went away */
    public void status(StatusService s) {
        status = s;
    }

    /**
     * Clears a service only if it is still the one that went away: DS may bind the replacement before it unbinds the
     * old one.
     *
     * @param current the value now
     * @param gone the service that went away
     * @return true if the value should be cleared
     */
    public static boolean same(Object current, Object gone) {
        return current == gone;
    }
}
