package dev.natgw.nat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.PortAllocation;

/** The behaviour suite on one worker, its pools in deterministic mode, blocks of 16 ports. */
class NatBehaviourDeterministicOneWorkerTest extends NatBehaviour {
    @Override
    int workers() {
        return 1;
    }

    @Override
    PortAllocation allocation() {
        return PortAllocation.deterministic(16, Ipv4Range.parse("198.18.0.0/25"));
    }
}
