package dev.natgw.api.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

class PacketBurstTest {
    private final MemorySegment memory = MemorySegment.ofArray(new byte[4096]);
    private final PacketBurst burst = new PacketBurst(4, memory);

    @Test
    void addFillsSlotsWithPassVerdict() {
        burst.reset(3, 1);
        int a = burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        int b = burst.add(7, 2048, 1514, PortRole.CODE_OUTSIDE);

        assertThat(a).isZero();
        assertThat(b).isEqualTo(1);
        assertThat(burst.size()).isEqualTo(2);
        assertThat(burst.capacity()).isEqualTo(4);
        assertThat(burst.workerId()).isEqualTo(3);
        assertThat(burst.rxQueue()).isEqualTo(1);
        assertThat(burst.handle(b)).isEqualTo(7);
        assertThat(burst.dataOffset(b)).isEqualTo(2048);
        assertThat(burst.length(b)).isEqualTo(1514);
        assertThat(burst.inPort(a)).isEqualTo(PortRole.CODE_INSIDE);
        assertThat(PortRole.ofCode(burst.inPort(b))).isEqualTo(PortRole.OUTSIDE);
        assertThat(burst.verdict(a)).isEqualTo(Verdict.PASS);
        assertThat(burst.verdict(b)).isEqualTo(Verdict.PASS);
        assertThat(burst.memory()).isSameAs(memory);
    }

    @Test
    void verdictsAreSetPerSlot() {
        burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        burst.add(0, 64, 60, PortRole.CODE_INSIDE);

        burst.setVerdict(1, Verdict.TX_OUTSIDE);

        assertThat(burst.verdict(0)).isEqualTo(Verdict.PASS);
        assertThat(burst.verdict(1)).isEqualTo(Verdict.TX_OUTSIDE);
        assertThatThrownBy(() -> burst.setVerdict(0, (byte) 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("verdict");
    }

    @Test
    void refusesAddWhenFull() {
        for (int i = 0; i < 4; i++) {
            burst.add(0, i * 64L, 60, PortRole.CODE_INSIDE);
        }
        assertThatThrownBy(() -> burst.add(0, 512, 60, PortRole.CODE_INSIDE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    }

    @Test
    void clearEmptiesAndResetsVerdictsOnReuse() {
        burst.reset(1, 2);
        burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        burst.setVerdict(0, Verdict.DROP);

        burst.clear();

        assertThat(burst.size()).isZero();
        assertThat(burst.workerId()).isEqualTo(1);
        assertThat(burst.rxQueue()).isEqualTo(2);
        burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        assertThat(burst.verdict(0)).isEqualTo(Verdict.PASS);
    }

    @Test
    void slotsBeyondSizeAreOutOfBounds() {
        burst.add(0, 0, 60, PortRole.CODE_INSIDE);

        assertThatThrownBy(() -> burst.length(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> burst.verdict(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> burst.setVerdict(1, Verdict.DROP)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void refusesFramesOutsideMemory() {
        assertThatThrownBy(() -> burst.add(0, 4000, 200, PortRole.CODE_INSIDE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataOffset");
        assertThatThrownBy(() -> burst.add(0, -1, 60, PortRole.CODE_INSIDE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> burst.add(0, 0, 60, (byte) 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inPort");
        assertThat(burst.add(0, 4036, 60, PortRole.CODE_INSIDE)).isZero();
    }

    @Test
    void setLengthShrinksAndGrowsWithinRoom() {
        burst.add(0, 0, 100, PortRole.CODE_INSIDE);

        burst.setLength(0, 70);
        assertThat(burst.length(0)).isEqualTo(70);
        burst.setLength(0, PacketBurst.MIN_ROOM);
        assertThat(burst.length(0)).isEqualTo(PacketBurst.MIN_ROOM);
        assertThatThrownBy(() -> burst.setLength(0, PacketBurst.MIN_ROOM + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
        assertThatThrownBy(() -> burst.setLength(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void setLengthKeepsFrameInsideMemory() {
        burst.add(0, 4000, 90, PortRole.CODE_INSIDE);

        assertThatThrownBy(() -> burst.setLength(0, 97)).isInstanceOf(IllegalArgumentException.class);
        burst.setLength(0, 96);
        assertThat(burst.length(0)).isEqualTo(96);
    }

    @Test
    void memoryChangesOnlyWhenEmpty() {
        MemorySegment other = MemorySegment.ofArray(new byte[8192]);
        burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        assertThatThrownBy(() -> burst.setMemory(other)).isInstanceOf(IllegalStateException.class);

        burst.clear();
        burst.setMemory(other);

        assertThat(burst.memory()).isSameAs(other);
    }

    @Test
    void validatesConstructionAndReset() {
        assertThatThrownBy(() -> new PacketBurst(0, memory)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
        assertThatThrownBy(() -> new PacketBurst(1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> burst.reset(-1, 0)).hasMessageContaining("workerId");
        assertThatThrownBy(() -> burst.reset(0, -1)).hasMessageContaining("rxQueue");
    }

    @Test
    void stageSeesOnlyPassSlots() {
        burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        burst.add(0, 64, 60, PortRole.CODE_OUTSIDE);
        burst.setVerdict(0, Verdict.DROP);
        PacketStage toOutside = b -> {
            for (int i = 0; i < b.size(); i++) {
                if (b.verdict(i) == Verdict.PASS) {
                    b.setVerdict(i, Verdict.TX_OUTSIDE);
                }
            }
        };

        toOutside.process(burst);

        assertThat(burst.verdict(0)).isEqualTo(Verdict.DROP);
        assertThat(burst.verdict(1)).isEqualTo(Verdict.TX_OUTSIDE);
    }

    @Test
    void handoffNamesAnotherWorkerAndReceivedPacketsNameTheirSender() {
        burst.reset(1, 0);
        int received = burst.add(0, 0, 60, PortRole.CODE_OUTSIDE);
        int handedIn = burst.add(0, 64, 60, PortRole.CODE_OUTSIDE, 2);

        assertThat(burst.handedOffFrom(received)).isEqualTo(-1);
        assertThat(burst.handedOffFrom(handedIn)).isEqualTo(2);
        assertThat(burst.handoffTarget(received)).isEqualTo(-1);

        burst.setHandoff(received, 0);
        assertThat(burst.verdict(received)).isEqualTo(Verdict.HANDOFF);
        assertThat(burst.handoffTarget(received)).isZero();

        assertThatThrownBy(() -> burst.setHandoff(handedIn, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another worker");
        assertThatThrownBy(() -> burst.setHandoff(handedIn, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> burst.setVerdict(handedIn, Verdict.HANDOFF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setHandoff");
        assertThatThrownBy(() -> burst.add(0, 128, 60, PortRole.CODE_INSIDE, -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fromWorker");

        // a slot reused for a new packet forgets the handoff
        burst.clear();
        int again = burst.add(0, 0, 60, PortRole.CODE_INSIDE);
        assertThat(burst.handoffTarget(again)).isEqualTo(-1);
        assertThat(burst.handedOffFrom(again)).isEqualTo(-1);
    }

    @Test
    void portRolesAndVerdictsHaveStableCodes() {
        assertThat(PortRole.INSIDE.code()).isEqualTo(PortRole.CODE_INSIDE);
        assertThat(PortRole.ofCode(PortRole.OUTSIDE.code())).isEqualTo(PortRole.OUTSIDE);
        assertThatThrownBy(() -> PortRole.ofCode((byte) 5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Verdict.name(Verdict.STOLEN)).isEqualTo("STOLEN");
        assertThat(Verdict.name(Verdict.HANDOFF)).isEqualTo("HANDOFF");
        assertThat(Verdict.isValid(Verdict.HANDOFF)).isTrue();
        assertThat(Verdict.isValid((byte) 6)).isFalse();
        assertThat(Verdict.name((byte) 9)).isEqualTo("INVALID(9)");
        assertThat(Verdict.isValid(Verdict.PASS)).isTrue();
        assertThat(Verdict.isValid((byte) -1)).isFalse();
    }
}
