package dev.natgw.nat;

/** The fragment suite on four workers: a datagram's fragments reach one worker by RSS, which hands them to the
 * owner of their session after the first. */
class NatFragmentsFourWorkersTest extends NatFragments {
    @Override
    int workers() {
        return 4;
    }
}
