package dev.natgw.traversal.udp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A local UDP port whose flows go to a server, each over a stream of its own (for the traversal library, a connection
 * to a key): a flow is a source address and port; its datagrams go on its stream framed by {@link DatagramFrames}, and
 * the datagrams that come back go to that source. The stream of a new flow opens in the background while its first
 * datagrams wait in the flow's queue.
 *
 * <p>
 * Bounds ({@link UdpLimits}): at most maxFlows flows, a datagram that would start one more dropped; each flow's queue
 * at most queueBytes, a datagram beyond dropped; a flow quiet too long ended. All counted in {@link #counters()}. One
 * thread receives every datagram and never blocks on a stream; each flow has two virtual threads.
 */
public final class UdpForward implements Closeable {
    /** Opens the stream of a new flow. */
    @FunctionalInterface
    public interface Streams {
        /** {@return a new connected stream to the server} */
        Socket open() throws IOException;
    }

    /** Bytes a queued datagram costs beyond its own: the array and queue node, roughly. */
    private static final int ENTRY_COST = 64;

    private final DatagramChannel channel;
    private final Streams streams;
    private final UdpLimits limits;
    private final Consumer<IOException> onFailure;
    private final UdpCounters counters = new UdpCounters();
    private final FlowTable<SocketAddress> flows;
    private final Thread receiver;

    private UdpForward(DatagramChannel channel, Streams streams, UdpLimits limits, Consumer<IOException> onFailure) {
        this.channel = channel;
        this.streams = streams;
        this.limits = limits;
        this.onFailure = onFailure;
        this.flows = new FlowTable<>("natgw-udp-forward-reaper", limits, Duration.ZERO, counters);
        this.receiver = Thread.ofPlatform().daemon(true).name("natgw-udp-forward").start(this::receive);
    }

    /**
     * Binds listen and starts carrying its flows.
     *
     * @param listen the local UDP address (port 0: any)
     * @param streams opens each new flow's stream
     * @param limits the bounds
     * @param onFailure told why a flow's stream could not be opened or broke (the flow has ended; its next datagram
     *     starts a new one)
     */
    public static UdpForward open(InetSocketAddress listen, Streams streams, UdpLimits limits,
            Consumer<IOException> onFailure) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            // no SO_REUSEADDR: on Linux a UDP port bound with it can be bound again by any other socket that sets it,
            // which then takes the flows' datagrams (and UDP has no TIME_WAIT that the option would be needed for)
            ch.bind(listen);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen for UDP at " + listen + ": " + e.getMessage(), e);
        }
        return new UdpForward(ch, streams, limits, onFailure);
    }

    /** {@return the bound address} */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** {@return the counters} */
    public UdpCounters counters() {
        return counters;
    }

    /** {@return the flows open now} */
    public int flows() {
        return flows.size();
    }

    private void receive() {
        // one more than the largest carried, so that a longer one shows
        ByteBuffer buf = ByteBuffer.allocate(DatagramFrames.MAX_DATAGRAM + 1);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // an ICMP error for an earlier send, say: the socket itself goes on
                continue;
            }
            int n = buf.position();
            if (n > DatagramFrames.MAX_DATAGRAM) {
                counters.datagramsTooLarge.incrementAndGet();
                continue;
            }
            Out flow = (Out) flows.get(from);
            if (flow == null) {
                flow = new Out(from);
                if (!flows.add(from, flow)) {
                    counters.datagramsDropped.incrementAndGet();
                    continue;
                }
                flow.start();
            }
            flow.offer(buf.array(), n);
        }
    }

    /** Stops receiving and ends every flow. */
    @Override
    public void close() throws IOException {
        channel.close();
        receiver.interrupt();
        flows.close();
    }

    /** One flow: its queue, its stream, the thread that writes the queue to the stream and the one that reads back. */
    private final class Out extends Flow {
        private final SocketAddress source;
        private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private volatile Socket stream;
        private volatile Thread writer;

        Out(SocketAddress source) {
            this.source = source;
        }

        void start() {
            writer = Thread.ofVirtual().name("natgw-udp-flow-" + source).start(this::run);
        }

        /** Queues a datagram unless the queue is full; called by the receiving thread only. */
        void offer(byte[] data, int len) {
            int cost = DatagramFrames.HEADER + len + ENTRY_COST;
            // the receiving thread is the only one adding, so the room checked is still there when added
            if (queued.get() + cost > limits.queueBytes() || ended()) {
                counters.datagramsDropped.incrementAndGet();
                return;
            }
            queued.addAndGet(cost);
            queue.add(DatagramFrames.frame(data, 0, len));
        }

        private void run() {
            try {
                Socket s = streams.open();
                stream = s;
                if (ended()) {
                    closeLater(s);
                    return;
                }
                Thread.ofVirtual().name("natgw-udp-back-" + source).start(() -> back(s));
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), DatagramFrames.MAX_DATAGRAM
                        + DatagramFrames.HEADER);
                while (!ended()) {
                    byte[] frame = queue.take();
                    queued.addAndGet(-(frame.length + ENTRY_COST));
                    if (!startWrite()) {
                        return;
                    }
                    try {
                        out.write(frame);
                        if (queue.isEmpty()) {
                            out.flush();
                        }
                    } finally {
                        endWrite();
                    }
                    carriedToService();
                    counters.datagramsCarried.incrementAndGet();
                }
            } catch (IOException e) {
                failed(e);
            } catch (InterruptedException e) {
                // ended
            } finally {
                end();
            }
        }

        private void back(Socket s) {
            byte[] buf = new byte[DatagramFrames.MAX_DATAGRAM];
            try {
                InputStream in = new BufferedInputStream(s.getInputStream());
                for (int n; (n = DatagramFrames.read(in, buf)) >= 0;) {
                    channel.send(ByteBuffer.wrap(buf, 0, n), source);
                    carriedFromService();
                    counters.datagramsCarried.incrementAndGet();
                }
            } catch (IOException e) {
                failed(e);
            } finally {
                end();
            }
        }

        private void failed(IOException e) {
            if (end() && channel.isOpen()) {
                counters.flowsFailed.incrementAndGet();
                onFailure.accept(e);
            }
        }

        @Override
        void release() {
            flows.remove(source, this);
            // the writer, waiting for a datagram or its stream; not while it writes (the close ends that write) and
            // never the reader: it sends on the listening channel, which an interrupt would close
            if (!writing()) {
                interrupt(writer);
            }
            Socket s = stream;
            if (s != null) {
                closeLater(s);
            }
            queue.clear();
            queued.set(0);
        }
    }
}
