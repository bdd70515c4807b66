package dev.natgw.nat;

/** The subscriber-limit suite on four workers. */
class NatLimitsFourWorkersTest extends NatLimits {
    @Override
    int workers() {
        return 4;
    }
}
