package dev.natgw.nat;

/** The behaviour suite on one worker. */
class NatBehaviourOneWorkerTest extends NatBehaviour {
    @Override
    int workers() {
        return 1;
    }
}
