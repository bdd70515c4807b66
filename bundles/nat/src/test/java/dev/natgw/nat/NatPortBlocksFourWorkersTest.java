package dev.natgw.nat;

/** The port-block and deterministic suite on four workers. */
class NatPortBlocksFourWorkersTest extends NatPortBlocks {
    @Override
    int workers() {
        return 4;
    }
}
