package org.trainer.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;

/**
 * The {@link RemoteTrial} of a trial's task: reports go to the coordinator's {@link TrialEndpoint}
 * with the trial's token, and each answer sets {@link #shouldPrune()}.
 */
final class TaskTrial implements RemoteTrial {
    /** One client per executor JVM: its connections and selector thread are shared by the tasks. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI reportUri;
    private final String token;
    private final int number;
    private final long seed;
    private final int attempt;
    private final Map<String, Object> params;
    private volatile boolean prune;
    private volatile int lastStep = -1;

    TaskTrial(String endpoint, String token, int number, long seed, int attempt, Map<String, Object> params) {
        this.reportUri = URI.create(endpoint + "/trials/" + number + "/report");
        this.token = token;
        this.number = number;
        this.seed = seed;
        this.attempt = attempt;
        this.params = Collections.unmodifiableMap(params);
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Map<String, Object> params() {
        return params;
    }

    @Override
    public void report(int step, double value) {
        HttpRequest request = HttpRequest.newBuilder(reportUri).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(step + " " + value)).build();
        HttpResponse<String> response;
        try {
            response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("trial " + number + ": could not report step " + step + " to the coordinator at "
                    + reportUri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("trial " + number + ": interrupted while reporting step " + step
                    + " (the trial was cancelled)", e);
        }
        lastStep = step;
        switch (response.statusCode()) {
            case 200 -> {
                if ("prune".equals(response.body())) {
                    prune = true;
                }
            }
            // The coordinator no longer runs this trial (it finished or timed out): nothing this task
            // computes is wanted any more.
            case 410 -> prune = true;
            default -> throw new IllegalStateException("trial " + number + ": the coordinator at " + reportUri
                    + " refused step " + step + " with HTTP " + response.statusCode() + ": " + response.body());
        }
    }

    @Override
    public boolean shouldPrune() {
        return prune;
    }

    /** The last step reported, -1 for none. */
    int lastStep() {
        return lastStep;
    }
}
