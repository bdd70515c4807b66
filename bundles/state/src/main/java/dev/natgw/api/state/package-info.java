/**
 * State that outlives the bundle revision that made it: off-heap memory a bundle deposits with the
 * {@link dev.natgw.api.state.StateKeeper} when it stops and its next revision claims when it starts.
 */
@Version("1.1.0")
package dev.natgw.api.state;

import org.osgi.annotation.versioning.Version;
