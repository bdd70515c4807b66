package dev.natgw.nat;

/** The fragment suite on one worker. */
class NatFragmentsOneWorkerTest extends NatFragments {
    @Override
    int workers() {
        return 1;
    }
}
