package org.trainer.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.hpo.Trial;

/**
 * The coordinator's side of pruning across tasks: a small HTTP server on the driver to which each
 * trial's task POSTs its intermediate values, and which answers with the study's pruning decision.
 *
 * <p>{@code POST /trials/<n>/report} with header {@code Authorization: Bearer <token of trial n>}
 * and body {@code "<step> <value>"} records the value on the live {@link Trial} n
 * ({@link Trial#report}) and answers {@code prune} or {@code continue}
 * ({@link Trial#shouldPrune()}). A step that trial n already reported (a retried task running its
 * steps again) keeps its first value and is answered the same way. A request without trial n's
 * valid token, to another path or with another method is refused with 403 and logged; a valid one
 * for a trial that is not running here (it finished, or timed out) gets 410, which tells a stray
 * task to stop.
 */
final class TrialEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrialEndpoint.class);
    private static final Pattern REPORT = Pattern.compile("/trials/(\\d{1,9})/report");
    private static final String BEARER = "Bearer ";
    /** A report body is two numbers; anything longer is not one. */
    private static final int MAX_BODY = 256;
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final TrialTokens tokens;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;
    private final Map<Integer, Live> live = new ConcurrentHashMap<>();

    /** A running trial and the steps it has reported. */
    private static final class Live {
        final Trial trial;
        final Set<Integer> steps = new HashSet<>();

        Live(Trial trial) {
            this.trial = trial;
        }
    }

    /**
     * Starts serving on an ephemeral port of {@code bindHost}; tasks reach it as
     * {@code http://advertisedHost:port}.
     *
     * @param threads how many requests are served at once (one per running trial suffices)
     * @throws IOException if the port cannot be bound
     */
    TrialEndpoint(TrialTokens tokens, String bindHost, String advertisedHost, int threads) throws IOException {
        this.tokens = tokens;
        this.server = HttpServer.create(new InetSocketAddress(bindHost, 0), 0);
        int id = SERVERS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "trial-endpoint-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(this.threads);
        server.createContext("/", this::handle);
        server.start();
        String host = advertisedHost.contains(":") ? "[" + advertisedHost + "]" : advertisedHost;
        this.url = "http://" + host + ":" + server.getAddress().getPort();
        LOG.info("trial reports served at {}", url);
    }

    /** The base URL tasks report to. */
    String url() {
        return url;
    }

    /** Accepts reports for {@code trial} until {@link #unregister}. */
    void register(Trial trial) {
        live.put(trial.number(), new Live(trial));
    }

    /** Stops accepting reports for trial {@code number} (later ones get 410). */
    void unregister(int number) {
        live.remove(number);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Matcher m = REPORT.matcher(path);
            if (!"POST".equals(ex.getRequestMethod()) || !m.matches()) {
                refuse(ex, ex.getRequestMethod() + " " + path + " is not a trial report");
                return;
            }
            int number = Integer.parseInt(m.group(1));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith(BEARER) || !tokens.verify(number, auth.substring(BEARER.length()))) {
                refuse(ex, auth == null ? "no token" : "a wrong token for trial " + number);
                return;
            }
            double value;
            int step;
            try (InputStream in = ex.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                String[] f = new String(body, StandardCharsets.US_ASCII).strip().split(" ");
                if (body.length > MAX_BODY || f.length != 2) {
                    throw new NumberFormatException("expected \"<step> <value>\"");
                }
                step = Integer.parseInt(f[0]);
                value = Double.parseDouble(f[1]);
            } catch (NumberFormatException e) {
                answer(ex, 400, "bad report for trial " + number + ": " + e.getMessage());
                return;
            }
            Live l = live.get(number);
            if (l == null) {
                answer(ex, 410, "trial " + number + " is not running");
                return;
            }
            boolean prune;
            try {
                synchronized (l) {
                    if (l.steps.add(step)) {
                        l.trial.report(step, value);
                    } else {
                        LOG.debug("trial {}: step {} reported again (a retried task); the first value stands", number, step);
                    }
                    prune = l.trial.shouldPrune();
                }
            } catch (IllegalStateException e) {
                // the trial finished between the lookup and the report (e.g. it timed out)
                answer(ex, 410, e.getMessage());
                return;
            }
            answer(ex, 200, prune ? "prune" : "continue");
        } catch (RuntimeException e) {
            LOG.warn("trial report {} failed: {}", ex.getRequestURI(), e.toString());
            answer(ex, 500, e.toString());
        }
    }

    private static void refuse(HttpExchange ex, String why) throws IOException {
        LOG.warn("refused a trial report request from {}: {}", ex.getRemoteAddress(), why);
        answer(ex, 403, "forbidden");
    }

    private static void answer(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops the server at once and its threads. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
