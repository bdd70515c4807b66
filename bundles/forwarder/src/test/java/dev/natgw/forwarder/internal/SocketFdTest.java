package dev.natgw.forwarder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * The splice path's own descriptors: found for the right end of a loopback connection whose both ends live in this
 * process, and not at all for a socket that is closed or not connected (the relay then copies).
 */
class SocketFdTest {

    @Test
    void eachEndGetsADuplicateOfItsOwnThatShutsTheConnectionDown() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel accepted = null;
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                accepted = listener.accept();
                // both ends are in this process, with the same two addresses swapped: each finds its own
                SocketFd mine = SocketFd.of(accepted.socket());
                SocketFd theirs = SocketFd.of(client.socket());
                assertThat(mine).isNotNull();
                assertThat(theirs).isNotNull();
                assertThat(mine.fd()).isNotEqualTo(theirs.fd());
                try {
                    // after the JDK's close the duplicate still holds the connection; its shutdown ends it
                    accepted.close();
                    mine.shutdown();
                    client.socket().setSoTimeout(10_000);
                    assertThat(client.socket().getInputStream().read()).isEqualTo(-1);
                } finally {
                    mine.close();
                    mine.close();
                    mine.shutdown();
                    theirs.close();
                }
                assertThat(mine.fd()).isEqualTo(-1);
            } finally {
                if (accepted != null) {
                    accepted.close();
                }
            }
        }
    }

    @Test
    void noDescriptorForAClosedOrUnconnectedSocket() throws IOException {
        try (Socket unconnected = new Socket()) {
            assertThat(SocketFd.of(unconnected)).isNull();
        }
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            client.close();
            assertThat(SocketFd.of(client.socket())).isNull();
        }
    }
}
