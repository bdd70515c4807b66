package dev.natgw.api.state;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps off-heap state between two revisions of the bundle that owns it. Provided by a bundle that is
 * not updated together with the depositors (natgw-state, which imports no natgw package, so not even an update
 * of natgw-api refreshes it), so a deposit outlives the depositor's class
 * loader. One deposit per owner; thread-safe.
 *
 * <p>
 * A keeper that stops closes the arenas of the deposits nobody claimed.
 */
@ProviderType
public interface StateKeeper {
    /**
     * Deposits state; from now on the keeper owns its arenas. A deposit the owner had left before and
     * nobody claimed is closed and replaced.
     *
     * @param deposit the state
     */
    void deposit(StateDeposit deposit);

    /**
     * Takes an owner's deposit out of the keeper; the caller owns its arenas from now on.
     *
     * @param owner the owner
     * @return the deposit, or null if there is none
     */
    StateDeposit claim(String owner);

    /** {@return what the keeper holds now, by owner} */
    List<DepositInfo> deposits();

    /**
     * {@return the deposits that left the keeper most recently, newest first; a bounded number of them}
     *
     * @since 1.1
     */
    List<HandOverRecord> history();
}
