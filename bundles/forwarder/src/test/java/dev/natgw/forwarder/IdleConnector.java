package dev.natgw.forwarder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A hostile peer in a process of its own (so the test JVM's file descriptors hold only the forwarder's side): opens
 * COUNT connections to HOST:PORT, sends nothing, prints "opened N", and holds them until its standard input ends or
 * HOLD_MILLIS pass. Arguments: HOST PORT COUNT HOLD_MILLIS.
 */
public final class IdleConnector {
    private IdleConnector() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        long hold = Long.parseLong(args[3]);
        List<Socket> held = new ArrayList<>(count);
        int failed = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), 5000);
                held.add(s);
            } catch (IOException e) {
                failed++;
                s.close();
            }
        }
        System.out.println("opened " + held.size() + " failed " + failed);
        System.out.flush();
        Thread waiter = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for end of input
                }
            } catch (IOException e) {
                // parent gone
            }
        });
        waiter.join(hold);
        for (Socket s : held) {
            s.close();
        }
    }
}
