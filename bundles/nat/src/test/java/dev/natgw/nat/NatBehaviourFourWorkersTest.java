package dev.natgw.nat;

/** The behaviour suite on four workers: every handoff path is taken. */
class NatBehaviourFourWorkersTest extends NatBehaviour {
    @Override
    int workers() {
        return 4;
    }
}
