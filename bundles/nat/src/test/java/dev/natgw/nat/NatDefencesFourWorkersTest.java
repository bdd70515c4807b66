package dev.natgw.nat;

/** The defence suite on four workers: a source is judged on the worker that receives it, before any handoff. */
class NatDefencesFourWorkersTest extends NatDefences {
    @Override
    int workers() {
        return 4;
    }
}
