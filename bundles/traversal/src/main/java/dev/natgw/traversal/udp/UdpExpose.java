package dev.natgw.traversal.udp;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A local UDP service served to streams (for the traversal library, the clients of a key): each stream is one flow
 * and gets a UDP socket of its own, connected to the service, so that the service's answers go back on the stream
 * they answer (and only the service's datagrams are taken there). Datagrams are framed on the stream by {@link DatagramFrames}.
 *
 * <p>
 * Bounds ({@link UdpLimits}): at most maxFlows streams served at once, one more closed at once; a flow quiet too long
 * (and a second more) ended; a frame longer than a datagram ends its flow. All counted in {@link #counters()}. Each flow has two virtual
 * threads; what the service sends while a client does not read waits in the kernel's socket buffer, which drops the
 * excess, and holds up that flow only.
 */
public final class UdpExpose implements Closeable {
    /**
     * The exposing side ends a quiet flow this much later than the forwarding side would, so that the side that knows
     * the flow's client normally ends it, and this one only when that side does not (it went away, or is hostile).
     */
    static final Duration EXPOSE_SLACK = Duration.ofSeconds(1);

    private final InetSocketAddress service;
    private final Consumer<IOException> onFailure;
    private final UdpCounters counters = new UdpCounters();
    private final FlowTable<In> flows;

    /**
     * @param service the local UDP service
     * @param limits the bounds
     * @param onFailure told why a flow ended by an error (a bad frame, a stream cut short)
     */
    public UdpExpose(InetSocketAddress service, UdpLimits limits, Consumer<IOException> onFailure) {
        if (service.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the UDP service's host " + service.getHostString());
        }
        this.service = service;
        this.onFailure = onFailure;
        this.flows = new FlowTable<>("natgw-udp-expose-reaper", limits, EXPOSE_SLACK, counters);
    }

    /** {@return the counters} */
    public UdpCounters counters() {
        return counters;
    }

    /** {@return the flows open now} */
    public int flows() {
        return flows.size();
    }

    /**
     * Serves one client's stream as a flow, in the background, or closes it at once if maxFlows are served already or
     * the service's socket cannot be opened.
     *
     * @return whether it is served
     */
    public boolean serve(Socket stream) {
        In flow = new In(stream);
        if (!flows.add(flow, flow)) {
            flow.closeLater(stream);
            return false;
        }
        try {
            // not connected: a connected socket cannot send an empty datagram through the JDK; what does not come
            // from the service is dropped instead, as a connected socket's kernel would
            flow.udp = DatagramChannel.open(service.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET);
            flow.udp.bind(new InetSocketAddress(service.getAddress().isLoopbackAddress() ? service.getAddress() : null,
                    0));
            if (flow.ended()) {
                // closed meanwhile
                flow.release();
                return false;
            }
        } catch (IOException e) {
            flow.failed(new IOException("cannot reach the UDP service at " + service + ": " + e.getMessage(), e));
            return false;
        }
        Thread.ofVirtual().name("natgw-udp-in-" + service).start(flow::toService);
        Thread.ofVirtual().name("natgw-udp-out-" + service).start(flow::fromService);
        return true;
    }

    /** Ends every flow. */
    @Override
    public void close() {
        flows.close();
    }

    private final class In extends Flow {
        private final Socket stream;
        private volatile DatagramChannel udp;

        In(Socket stream) {
            this.stream = stream;
        }

        /** Frames from the stream, as datagrams to the service. */
        private void toService() {
            byte[] buf = new byte[DatagramFrames.MAX_DATAGRAM];
            try {
                InputStream in = new BufferedInputStream(stream.getInputStream());
                for (int n; (n = DatagramFrames.read(in, buf)) >= 0;) {
                    udp.send(ByteBuffer.wrap(buf, 0, n), service);
                    carriedToService();
                    counters.datagramsCarried.incrementAndGet();
                }
                end();
            } catch (IOException e) {
                failed(e);
            }
        }

        /** Datagrams from the service, as frames on the stream. */
        private void fromService() {
            ByteBuffer buf = ByteBuffer.allocate(DatagramFrames.MAX_DATAGRAM + 1);
            try {
                OutputStream out = stream.getOutputStream();
                while (!ended()) {
                    buf.clear();
                    if (!service.equals(udp.receive(buf))) {
                        // not the service's: a stranger's, to the port this flow took
                        counters.datagramsDropped.incrementAndGet();
                        continue;
                    }
                    int n = buf.position();
                    if (n > DatagramFrames.MAX_DATAGRAM) {
                        counters.datagramsTooLarge.incrementAndGet();
                        continue;
                    }
                    byte[] frame = DatagramFrames.frame(buf.array(), 0, n);
                    if (!startWrite()) {
                        return;
                    }
                    try {
                        out.write(frame);
                        out.flush();
                    } finally {
                        endWrite();
                    }
                    carriedFromService();
                    counters.datagramsCarried.incrementAndGet();
                }
            } catch (IOException e) {
                failed(e);
            }
        }

        void failed(IOException e) {
            if (end()) {
                counters.flowsFailed.incrementAndGet();
                onFailure.accept(e);
            }
        }

        @Override
        void release() {
            flows.remove(this, this);
            // never waits, even for a writer blocked on a client that does not read
            closeLater(stream);
            DatagramChannel u = udp;
            if (u != null) {
                try {
                    u.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
