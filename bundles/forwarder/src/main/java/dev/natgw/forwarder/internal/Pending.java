package dev.natgw.forwarder.internal;

import java.util.concurrent.CompletableFuture;

/**
 * A client waiting for its server's data connection under a one-time token. The future completes once: with the data
 * connection (the DATA handler), or with the reason it will not come (timeout, DECLINE, the server gone); whichever
 * completes it first wins, so a token is used at most once.
 */
final class Pending {
    final String token;
    final ServerSession server;
    final Conn client;
    final CompletableFuture<Conn> future = new CompletableFuture<>();

    Pending(String token, ServerSession server, Conn client) {
        this.token = token;
        this.server = server;
        this.client = client;
    }
}
