package dev.natgw.traversal.udp;

import java.time.Duration;

/**
 * The bounds of one {@link UdpForward} or {@link UdpExpose}.
 *
 * @param maxFlows flows carried at once; a datagram that would start one more is dropped and counted
 * @param idleTimeout a flow that carried no datagram either way for this long ends
 * @param exchangeTimeout a flow that carried one request and one answer (a DNS query, say) and nothing since ends
 *     after this long, or after idleTimeout if that is shorter
 * @param queueBytes datagram bytes waiting for one flow's stream (while it connects or while it is slow); a datagram
 *     beyond it is dropped and counted, so one slow flow never holds up the others nor grows memory
 */
public record UdpLimits(int maxFlows, Duration idleTimeout, Duration exchangeTimeout, int queueBytes) {
    /** Flows at once unless told. */
    public static final int DEFAULT_MAX_FLOWS = 256;
    /** Idle time unless told: the 60 s Linux conntrack keeps a UDP flow that has answered. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
    /** After a single request and answer. */
    public static final Duration DEFAULT_EXCHANGE = Duration.ofSeconds(5);
    /** Room for two of the largest datagrams, or many small ones. */
    public static final int DEFAULT_QUEUE_BYTES = 128 * 1024;
    /** The defaults. */
    public static final UdpLimits DEFAULTS = new UdpLimits(DEFAULT_MAX_FLOWS, DEFAULT_IDLE, DEFAULT_EXCHANGE,
            DEFAULT_QUEUE_BYTES);

    /** Checks the bounds. */
    public UdpLimits {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("at least one UDP flow, was " + maxFlows);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || exchangeTimeout.isNegative() || exchangeTimeout
                .isZero()) {
            throw new IllegalArgumentException("UDP flow timeouts must be positive");
        }
        if (queueBytes < DatagramFrames.MAX_DATAGRAM + DatagramFrames.HEADER) {
            throw new IllegalArgumentException("a UDP flow's queue must hold at least one largest datagram, "
                    + (DatagramFrames.MAX_DATAGRAM + DatagramFrames.HEADER) + " bytes; was " + queueBytes);
        }
    }

    /** {@return these limits with at most n flows at once} */
    public UdpLimits withMaxFlows(int n) {
        return new UdpLimits(n, idleTimeout, exchangeTimeout, queueBytes);
    }

    /** {@return these limits with this idle timeout} */
    public UdpLimits withIdleTimeout(Duration idle) {
        return new UdpLimits(maxFlows, idle, exchangeTimeout, queueBytes);
    }

    /** {@return these limits with this timeout after a single exchange} */
    public UdpLimits withExchangeTimeout(Duration exchange) {
        return new UdpLimits(maxFlows, idleTimeout, exchange, queueBytes);
    }

    /** {@return the time a flow that carried so many datagrams each way may stay quiet} */
    Duration quietLimit(long toService, long fromService) {
        if (toService <= 1 && fromService == 1 && exchangeTimeout.compareTo(idleTimeout) < 0) {
            return exchangeTimeout;
        }
        return idleTimeout;
    }
}
