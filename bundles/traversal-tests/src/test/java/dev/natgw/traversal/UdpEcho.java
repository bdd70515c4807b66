package dev.natgw.traversal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A UDP service on loopback standing for the one a user exposes (a game server, a resolver): it answers each datagram
 * with the port it came from (two bytes, big-endian), then the datagram itself, so that a test sees both that the
 * answer is its own and which socket of the exposing side asked.
 */
final class UdpEcho implements AutoCloseable {
    private final DatagramSocket socket;

    UdpEcho() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::serve);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[65_536];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                int n = Math.min(p.getLength(), 65_507 - 2);
                byte[] answer = new byte[n + 2];
                answer[0] = (byte) (p.getPort() >>> 8);
                answer[1] = (byte) p.getPort();
                System.arraycopy(buf, 0, answer, 2, n);
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** An answer: the port that asked, as the service saw it, and the payload sent back. */
    record Answer(int port, byte[] payload) {
    }

    /**
     * Sends payload from client to the address and waits for its answer, sending again every two seconds (UDP may
     * lose one), at most attempts times. Answers to earlier datagrams (sent again and answered twice) are passed over.
     */
    static Answer ask(DatagramSocket client, InetSocketAddress to, byte[] payload, int attempts) throws IOException {
        client.setSoTimeout(2000);
        byte[] buf = new byte[65_536];
        for (int i = 0; i < attempts; i++) {
            client.send(new DatagramPacket(payload, payload.length, to));
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    client.receive(p);
                    byte[] back = Arrays.copyOfRange(buf, 2, p.getLength());
                    if (Arrays.equals(back, payload)) {
                        return new Answer((buf[0] & 0xff) << 8 | buf[1] & 0xff, back);
                    }
                }
            } catch (SocketTimeoutException e) {
                // again
            }
        }
        throw new AssertionError("no answer to " + payload.length + " bytes from " + to + " after " + attempts
                + " attempts of " + Duration.ofSeconds(2));
    }

    @Override
    public void close() {
        socket.close();
    }
}
