package dev.natgw.registry.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Serves {@link RegistryHttpFace} over HTTP below {@value #BASE} ({@link RegistryHttpManager} registers it, with
 * asynchronous support). Every request is first {@linkplain RegistryHttpFace#admit admitted} on the TCP peer's
 * address; a body is then read without blocking a thread ({@link ReadListener}), at most the largest body (413
 * beyond, the connection closed) and within the body deadline (408 after it, the connection closed). Stateless apart
 * from the face.
 */
public class RegistryServlet extends HttpServlet {
    /** Where the face lives on the HTTP server. */
    public static final String BASE = "/natgw/registry/v1";
    /** The servlet's name on the HTTP server. */
    public static final String NAME = "natgw-registry";
    /** The init parameter with which Pax Web's HttpService registers a servlet with asynchronous support. */
    public static final String ASYNC_SUPPORTED = "async-supported";

    private static final long serialVersionUID = 1L;

    private final transient RegistryHttpFace face;

    public RegistryServlet(RegistryHttpFace face) {
        this.face = face;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        boolean post = "POST".equals(req.getMethod());
        RegistryHttpFace.Answer transport = face.transport(peer(req.getLocalAddr()), req.isSecure());
        if (transport != null) {
            answer(resp, transport, post);
            return;
        }
        RegistryHttpFace.Admission admission = face.admit(peer(req.getRemoteAddr()), post);
        if (admission.refusal() != null) {
            // a refused body is not read: close rather than drain it
            answer(resp, admission.refusal(), post);
            return;
        }
        Map<String, String> query = new HashMap<>();
        if (!post) {
            try (admission) {
                req.getParameterMap().forEach((k, v) -> {
                    if (v.length > 0) {
                        query.put(k, v[0]);
                    }
                });
                answer(resp, face.handle(admission, req.getMethod(), path, query, null), false);
            }
            return;
        }
        int max = face.settings().bodyMaxBytes();
        if (req.getContentLengthLong() > max) {
            admission.close();
            face.bodyTooLarge();
            answer(resp, RegistryHttpFace.Answer.error(413, "body larger than " + max + " bytes"), true);
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(face.settings().bodyTimeout().toMillis());
        Body body = new Body(async, req.getInputStream(), resp, admission, path, max);
        async.addListener(body);
        req.getInputStream().setReadListener(body);
    }

    /**
     * {@return the TCP peer's (or the local) address} An address the server writes in brackets or with a scope is read without them;
     * one that cannot be read (never seen) counts as the unspecified address, one source for all such callers.
     */
    static InetAddress peer(String remote) {
        String a = remote == null ? "" : remote.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int scope = a.indexOf('%');
        if (scope >= 0) {
            a = a.substring(0, scope);
        }
        try {
            return InetAddress.ofLiteral(a);
        } catch (IllegalArgumentException e) {
            return InetAddress.ofLiteral("::");
        }
    }

    private static void answer(HttpServletResponse resp, RegistryHttpFace.Answer a, boolean close)
            throws IOException {
        byte[] json = a.json();
        resp.setStatus(a.status());
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        if (a.retryAfter() > 0) {
            resp.setHeader("Retry-After", Integer.toString(a.retryAfter()));
        }
        if (close) {
            resp.setHeader("Connection", "close");
        }
        resp.setContentLength(json.length);
        resp.getOutputStream().write(json);
    }

    private static final int READING = 0;
    private static final int HANDLING = 1;
    private static final int DONE = 2;

    /**
     * One request's body being read; answers exactly once: the face's answer, 413, 408, or nothing on an error. The
     * deadline covers the reading only: once the face has the body, its answer is awaited.
     */
    private final class Body implements ReadListener, AsyncListener {
        private final AsyncContext async;
        private final ServletInputStream in;
        private final HttpServletResponse resp;
        private final RegistryHttpFace.Admission admission;
        private final String path;
        private final int max;
        private final ByteArrayOutputStream read = new ByteArrayOutputStream();
        private final byte[] chunk;
        /** {@link #READING}, then {@link #HANDLING} (the face has the body) or straight to {@link #DONE}. */
        private final AtomicInteger state = new AtomicInteger(READING);
        private final CountDownLatch answered = new CountDownLatch(1);

        Body(AsyncContext async, ServletInputStream in, HttpServletResponse resp,
                RegistryHttpFace.Admission admission, String path, int max) {
            this.async = async;
            this.in = in;
            this.resp = resp;
            this.admission = admission;
            this.path = path;
            this.max = max;
            this.chunk = new byte[Math.min(max + 1, 4096)];
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (state.get() == READING && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return;
                }
                if (read.size() + n > max) {
                    face.bodyTooLarge();
                    finish(READING, RegistryHttpFace.Answer.error(413, "body larger than " + max + " bytes"), true);
                    return;
                }
                read.write(chunk, 0, n);
            }
        }

        @Override
        public void onAllDataRead() {
            if (!state.compareAndSet(READING, HANDLING)) {
                return;
            }
            admission.close();
            RegistryHttpFace.Answer a;
            try {
                a = face.handle(admission, "POST", path, Map.of(), read.toByteArray());
            } catch (RuntimeException e) {
                a = RegistryHttpFace.Answer.error(500, "internal error");
            }
            finish(HANDLING, a, false);
        }

        @Override
        public void onError(Throwable t) {
            // the connection broke: nobody to answer
            finish(READING, null, true);
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            if (finish(READING, RegistryHttpFace.Answer.error(408, "body not received within " + face.settings()
                    .bodyTimeout().toSeconds() + " s"), true, face::bodyTooSlow)) {
                return;
            }
            try {
                // the face is answering: let it
                answered.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the face answered", e);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            admission.close();
        }

        @Override
        public void onError(AsyncEvent event) {
            finish(READING, null, true);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        /** {@return whether the state was {@code from}} If it was, answers and completes. */
        private boolean finish(int from, RegistryHttpFace.Answer a, boolean close) {
            return finish(from, a, close, () -> {
            });
        }

        /**
         * Answers once, from state {@code from}; {@code counted} runs first when this call answers, so a counter it
         * bumps is seen by whoever has read the answer.
         */
        private boolean finish(int from, RegistryHttpFace.Answer a, boolean close, Runnable counted) {
            if (!state.compareAndSet(from, DONE)) {
                return false;
            }
            counted.run();
            admission.close();
            try {
                if (a != null) {
                    answer(resp, a, close);
                }
            } catch (IOException | RuntimeException e) {
                // the caller went away while being answered; nothing more to tell it
            } finally {
                try {
                    async.complete();
                } finally {
                    answered.countDown();
                }
            }
            return true;
        }
    }
}
