package dev.natgw.itests;

import org.junit.runner.RunWith;
import org.junit.runners.Suite;
import org.junit.runners.Suite.SuiteClasses;

/**
 * The integration tests that run a dataplane on a namespace topology and send real traffic through it, one after
 * the other in one failsafe fork, followed by three container tests that send no traffic (NatIT, HotDeployIT,
 * RegistryIT), there to even out the two forks. The other itests run beside them in a second fork (see the failsafe configuration in
 * this module's pom): they wait on Karaf, the browser and ssh rather than on the packet path, so the suite's wall
 * time is about the longer of the two groups. Kept together, no two busy-polling dataplanes compete for the CPU, and
 * the loss and pause checks of the update tests see only their own traffic. Each class still runs alone with
 * {@code -Dit.test=BundleUpdateIT}, which overrides the excludes.
 */
@RunWith(Suite.class)
@SuiteClasses({DataplaneIT.class, TraversalGatewayIT.class, ApiUpdateIT.class, BundleUpdateIT.class, NatIT.class,
        HotDeployIT.class, RegistryIT.class})
public class TopologySuiteIT {
}
