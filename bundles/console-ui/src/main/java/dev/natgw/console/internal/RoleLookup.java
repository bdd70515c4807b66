package dev.natgw.console.internal;

import java.util.Optional;
import java.util.Set;

/** Asks the realm which roles a user holds now, without their password. */
@FunctionalInterface
public interface RoleLookup {

    /** A lookup that can never tell: sessions then end only by their idle timeout. */
    RoleLookup NONE = user -> Optional.empty();

    /**
     * @param user the user's name
     * @return their roles (an empty set if the realm does not know them), or empty if the realm cannot tell
     */
    Optional<Set<String>> roles(String user);
}
