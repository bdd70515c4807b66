package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.console.Fakes;
import org.junit.jupiter.api.Test;

class ForwarderModelTest {

    @Test
    void absentThenServersRelaysAndThroughputFromTwoReads() {
        ForwarderModel model = new ForwarderModel();
        assertThat(model.read(null, 0).message()).contains("ForwarderService").contains("not running");

        Fakes.TestForwarder f = new Fakes.TestForwarder();
        f.bytes.set(1000);
        ForwarderModel.Snapshot first = model.read(f, 1_000_000_000L).value();
        assertThat(first.bytesPerSecond()).isNaN();
        assertThat(first.servers()).extracting(s -> s.key()).containsExactly("camera-1");
        assertThat(first.relays()).singleElement().satisfies(r -> assertThat(r.bytesClientToServer()
                + r.bytesServerToClient()).isEqualTo(1000));

        f.bytes.set(5000);
        ForwarderModel.Snapshot second = model.read(f, 3_000_000_000L).value();
        assertThat(second.bytesPerSecond()).isEqualTo(2000.0);

        // gone and back: the rate starts over rather than spanning the gap
        assertThat(model.read(null, 4_000_000_000L).present()).isFalse();
        assertThat(model.read(f, 5_000_000_000L).value().bytesPerSecond()).isNaN();
    }
}
