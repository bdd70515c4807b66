package dev.natgw.nat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.PortAllocation;

/** The behaviour suite on one worker, its pools in blocks of 64 ports. */
class NatBehaviourBlocksOneWorkerTest extends NatBehaviour {
    @Override
    int workers() {
        return 1;
    }

    @Override
    PortAllocation allocation() {
        return PortAllocation.blocks(64, 4);
    }
}
