package dev.natgw.nat;

/** The subscriber-limit suite on one worker. */
class NatLimitsOneWorkerTest extends NatLimits {
    @Override
    int workers() {
        return 1;
    }
}
