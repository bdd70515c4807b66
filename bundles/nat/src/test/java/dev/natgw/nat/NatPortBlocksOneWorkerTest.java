package dev.natgw.nat;

/** The port-block and deterministic suite on one worker. */
class NatPortBlocksOneWorkerTest extends NatPortBlocks {
    @Override
    int workers() {
        return 1;
    }
}
