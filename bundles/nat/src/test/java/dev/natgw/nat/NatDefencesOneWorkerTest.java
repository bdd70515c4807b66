package dev.natgw.nat;

/** The defence suite on one worker. */
class NatDefencesOneWorkerTest extends NatDefences {
    @Override
    int workers() {
        return 1;
    }
}
