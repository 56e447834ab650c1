package org.trainer.report;

import static org.trainer.report.Html.escape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.trainer.core.io.AtomicFile;
import org.trainer.core.monitor.Diagnosis;
import org.trainer.core.monitor.Problem;
import org.trainer.core.monitor.ProfileReport;
import org.trainer.core.monitor.Recommendation;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.Phase;
import org.trainer.core.monitor.PhaseStats;

/**
 * One training run as a single self-contained HTML file: a summary, the loss and metric curves
 * (training and validation, per-step losses when recorded), the learning-rate curve, the rules'
 * findings on the loss timeline and in a table, the profiler's split with its recommendations, and
 * the {@link Diagnosis}. Charts are PNGs drawn with JFreeChart and embedded as data URIs, styles are
 * inline: the file opens anywhere, offline, and can be mailed as it is. Every text from the run
 * (names, messages, settings) is escaped.
 *
 * <pre>{@code
 * Profiler profiler = new Profiler();
 * History h = new Trainer().profiler(profiler).recordStepLosses(true).fit(...);
 * Path file = RunReport.of("digits MLP", h).profile(profiler.report()).write(Path.of("target/reports/digits.html"));
 * }</pre>
 */
public final class RunReport {
    private final String title;
    private final History history;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private ProfileReport profile;
    private Diagnosis diagnosis;

    private RunReport(String title, History history) {
        this.title = title;
        this.history = history;
    }

    /**
     * A report of {@code history} under {@code title}; the diagnosis defaults to {@link Diagnosis#of(History)}.
     *
     * @param title the report's title
     * @param history the run's history
     * @return the report
     */
    public static RunReport of(String title, History history) {
        Objects.requireNonNull(title, "RunReport: title is null");
        Objects.requireNonNull(history, "RunReport: history is null");
        return new RunReport(title, history);
    }

    /**
     * The profiler's figures, shown in the profile section (without them the section says how to get them).
     *
     * @param p the figures
     * @return this report
     */
    public RunReport profile(ProfileReport p) {
        this.profile = Objects.requireNonNull(p, "RunReport: profile is null");
        return this;
    }

    /**
     * A diagnosis to show instead of the default one of the history.
     *
     * @param d the diagnosis
     * @return this report
     */
    public RunReport diagnosis(Diagnosis d) {
        this.diagnosis = Objects.requireNonNull(d, "RunReport: diagnosis is null");
        return this;
    }

    /**
     * A setting shown in the summary, e.g. ("optimizer", "SGD, lr 0.02, momentum 0.9").
     *
     * @param name the setting's name
     * @param value its value
     * @return this report
     */
    public RunReport setting(String name, String value) {
        settings.put(Objects.requireNonNull(name, "RunReport: setting name is null"), String.valueOf(value));
        return this;
    }

    /**
     * Writes the report to {@code file} atomically (a temporary file beside it, forced to disk, then
     * renamed over it), creating the directories; returns the absolute path.
     *
     * @param file the HTML file
     * @return the absolute path
     * @throws java.io.UncheckedIOException if the file cannot be written; an existing file is then unchanged
     */
    public Path write(Path file) {
        Objects.requireNonNull(file, "RunReport: file is null");
        try {
            AtomicFile.write(file, toHtml().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("RunReport.write: cannot write " + file + ": " + e.getMessage(), e);
        }
        return file.toAbsolutePath();
    }

    /**
     * The whole report as HTML (well-formed as XML too, so that any XML parser reads it).
     *
     * @return the HTML
     */
    public String toHtml() {
        Diagnosis d = diagnosis != null ? diagnosis : Diagnosis.of(history);
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(escape(title)).append("</title>\n")
                .append("<style>").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(escape(title)).append("</h1>\n");
        summary(sb, d);
        curves(sb);
        learningRate(sb);
        findings(sb);
        profile(sb);
        diagnosis(sb, d);
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private void summary(StringBuilder sb, Diagnosis d) {
        sb.append("<section id=\"summary\">\n<h2>Summary</h2>\n<table>\n");
        row(sb, "epochs", Integer.toString(history.epochCount()));
        if (!history.stepLosses().isEmpty()) {
            row(sb, "steps recorded", Integer.toString(history.stepLosses().size()));
        }
        for (Map.Entry<String, List<Double>> e : history.all().entrySet()) {
            List<Double> s = e.getValue();
            row(sb, "last " + e.getKey(), s.isEmpty() ? "" : fmt(s.get(s.size() - 1)));
        }
        List<Double> val = history.all().get("val_loss");
        if (val != null && !val.isEmpty()) {
            int best = 0;
            for (int i = 1; i < val.size(); i++) {
                if (val.get(i) < val.get(best)) {
                    best = i;
                }
            }
            row(sb, "best val_loss", fmt(val.get(best)) + " at epoch " + (best + 1));
        }
        row(sb, "rule findings", Integer.toString(history.findings().size()));
        row(sb, "diagnosis", d.problems().isEmpty() ? "no problem found"
                : String.join(", ", d.problems().stream().map(p -> p.symptom().label()).toList()));
        settings.forEach((k, v) -> row(sb, k, v));
        sb.append("</table>\n</section>\n");
    }

    private void curves(StringBuilder sb) {
        sb.append("<section id=\"curves\">\n<h2>Loss and metrics</h2>\n");
        if (!history.all().containsKey("loss")) {
            sb.append("<p>No epoch was recorded.</p>\n");
        }
        for (String name : history.all().keySet()) {
            if (name.startsWith("val_") || name.equals("lr")) {
                continue;
            }
            sb.append("<figure>").append(Html.img(Charts.png(Charts.curve(history, name)),
                    "training and validation " + name + " per epoch")).append("</figure>\n");
        }
        sb.append("</section>\n");
    }

    private void learningRate(StringBuilder sb) {
        sb.append("<section id=\"learning-rate\">\n<h2>Learning rate</h2>\n");
        if (history.all().containsKey("lr")) {
            sb.append("<figure>").append(Html.img(Charts.png(Charts.learningRate(history)),
                    "learning rate per epoch")).append("</figure>\n");
        } else {
            sb.append("<p>No learning rate was recorded.</p>\n");
        }
        sb.append("</section>\n");
    }

    private void findings(StringBuilder sb) {
        List<Finding> findings = history.findings();
        sb.append("<section id=\"findings\">\n<h2>Rule findings</h2>\n");
        if (findings.isEmpty()) {
            sb.append("<p>No rule reported anything during this run.</p>\n</section>\n");
            return;
        }
        if (history.all().containsKey("loss")) {
            sb.append("<figure>").append(Html.img(Charts.png(Charts.timeline(history, findings)),
                    "rule findings marked on the training loss")).append("</figure>\n");
        }
        sb.append("<p>Findings with the same rule, severity and message are one row, with their count; the epoch,"
                + " step and figures are the first one's.</p>\n");
        sb.append("<table>\n<tr><th>epoch</th><th>step</th><th>count</th><th>severity</th><th>rule</th>"
                + "<th>message</th><th>figures</th></tr>\n");
        for (List<Finding> group : grouped(findings)) {
            Finding f = group.get(0);
            StringBuilder values = new StringBuilder();
            f.values().forEach((k, v) -> values.append(values.length() == 0 ? "" : ", ").append(k).append(" = ")
                    .append(fmt(v)));
            String steps = group.size() == 1 ? "" : " (also at " + String.join(", ", group.subList(1,
                    Math.min(group.size(), MAX_STEPS_LISTED + 1)).stream().map(x -> Long.toString(x.iteration()))
                    .toList()) + (group.size() > MAX_STEPS_LISTED + 1 ? ", ..." : "") + ")";
            sb.append("<tr class=\"").append(f.severity().name().toLowerCase()).append("\"><td>").append(f.epoch() + 1)
                    .append("</td><td>").append(f.iteration()).append(escape(steps)).append("</td><td>")
                    .append(group.size()).append("</td><td>").append(f.severity())
                    .append("</td><td>").append(escape(f.rule())).append("</td><td>").append(escape(f.message()))
                    .append("</td><td>").append(escape(values.toString())).append("</td></tr>\n");
        }
        sb.append("</table>\n</section>\n");
    }

    /** The findings grouped by (rule, severity, message), groups in order of their first finding. */
    static List<List<Finding>> grouped(List<Finding> findings) {
        Map<List<Object>, List<Finding>> groups = new LinkedHashMap<>();
        for (Finding f : findings) {
            groups.computeIfAbsent(List.of(f.rule(), f.severity(), f.message()), k -> new ArrayList<>()).add(f);
        }
        return new ArrayList<>(groups.values());
    }

    private void profile(StringBuilder sb) {
        sb.append("<section id=\"profile\">\n<h2>Profile</h2>\n");
        if (profile == null || profile.steps() == 0) {
            sb.append("<p>This run was not profiled: set <code>trainer.profiler(new Profiler())</code> and pass"
                    + " <code>profiler.report()</code> to the report.</p>\n</section>\n");
            return;
        }
        ProfileReport p = profile;
        sb.append("<p>").append(escape(String.format("%d steps on %s, %.1f samples/s; step time median %.2f ms,"
                + " 95th percentile %.2f ms.", p.steps(), p.device(), p.samplesPerSecond(), p.stepP50Nanos() / 1e6,
                p.stepP95Nanos() / 1e6))).append(' ').append(escape(stepsLeftOut(p))).append("</p>\n");
        sb.append("<figure>").append(Html.img(Charts.png(Charts.profile(p)), "share of the step time per phase"))
                .append("</figure>\n");
        sb.append("<table>\n<tr><th>phase</th><th>total ms</th><th>mean ms</th><th>p50 ms</th><th>p95 ms</th>"
                + "<th>max ms</th><th>share</th></tr>\n");
        for (Map.Entry<Phase, PhaseStats> e : p.phases().entrySet()) {
            PhaseStats s = e.getValue();
            sb.append("<tr><td>").append(escape(e.getKey().label())).append("</td><td>")
                    .append(String.format("%.1f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.1f%%",
                            s.totalNanos() / 1e6, s.meanNanos() / 1e6, s.p50Nanos() / 1e6, s.p95Nanos() / 1e6,
                            s.maxNanos() / 1e6, 100 * s.fraction()))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n<table>\n");
        row(sb, "heap", String.format("%.1f MiB in use, peak %.1f MiB, maximum %.1f MiB", p.heapUsed() / MIB,
                p.heapPeak() / MIB, p.heapMax() / MIB));
        if (p.onDevice()) {
            row(sb, "device memory", String.format("%.1f MiB in use, peak %.1f MiB, total %.1f MiB",
                    p.deviceMemoryUsed() / MIB, p.deviceMemoryPeak() / MIB, p.deviceMemoryTotal() / MIB));
        }
        if (!Double.isNaN(p.deviceBusyFraction())) {
            row(sb, "device busy", String.format("%.0f%% of the step time (%s)", 100 * p.deviceBusyFraction(),
                    p.deviceBusySource()));
        }
        sb.append("</table>\n<h3>Recommendations</h3>\n");
        List<Recommendation> recs = p.recommendations();
        if (recs.isEmpty()) {
            sb.append("<p>None: no phase crossed its threshold (data wait over 30%, device busy under 50%,"
                    + " other over 20%, memory over 90%).</p>\n");
        } else {
            sb.append("<ul>\n");
            recs.forEach(r -> sb.append("<li><strong>").append(escape(r.observation())).append("</strong>: ")
                    .append(escape(r.advice())).append("</li>\n"));
            sb.append("</ul>\n");
        }
        sb.append("</section>\n");
    }

    /** Why the profiled steps are fewer than the steps trained. */
    private String stepsLeftOut(ProfileReport p) {
        int recorded = history.stepLosses().size();
        int other = recorded - p.steps() - p.timedSteps();
        String timed = p.timedSteps() == 0 ? "" : String.format("; %d more were timed on the device's clock and are"
                + " left out of the split", p.timedSteps());
        if (recorded == 0 || other < 0) {
            return "The profiler leaves out the first steps of a fit (warm-up: JIT compilation, first allocations)"
                    + timed + ".";
        }
        return String.format("Of the %d steps trained (\"steps recorded\" in the summary), the profiler skipped the"
                + " first %d as warm-up (JIT compilation, first allocations)%s.", recorded, other, timed);
    }

    private static void diagnosis(StringBuilder sb, Diagnosis d) {
        sb.append("<section id=\"diagnosis\">\n<h2>Diagnosis</h2>\n");
        if (d.problems().isEmpty()) {
            sb.append("<p>No problem found in the loss and validation curves.</p>\n");
        }
        for (Problem p : d.problems()) {
            sb.append("<div class=\"problem").append(p.expected() ? " expected" : "").append("\">\n<h3>")
                    .append(escape(p.symptom().label())).append(p.expected() ? " (expected)" : "")
                    .append("</h3>\n<p>").append(escape(p.evidence())).append("</p>\n<p>Likely causes:</p>\n<ol>\n");
            p.causes().forEach(c -> sb.append("<li>").append(escape(c)).append("</li>\n"));
            sb.append("</ol>\n<p>Fixes:</p>\n<ul>\n");
            p.fixes().forEach(f -> sb.append("<li>").append(escape(f)).append("</li>\n"));
            sb.append("</ul>\n</div>\n");
        }
        sb.append("</section>\n");
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    private static String fmt(double v) {
        return String.format("%.5g", v);
    }

    private static final double MIB = 1024.0 * 1024.0;
    /** Steps of a group's later findings listed in its row. */
    private static final int MAX_STEPS_LISTED = 8;

    private static final String STYLE = "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
            + "h1{border-bottom:2px solid #1f77b4}h2{margin-top:2em;border-bottom:1px solid #ccc}"
            + "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ddd;padding:4px 8px;"
            + "text-align:left;vertical-align:top}figure{margin:1em 0}img{max-width:100%;height:auto}"
            + "tr.warning td{background:#fff6e0}tr.error td{background:#fde8e8}"
            + ".problem{border-left:4px solid #d62728;padding:0 1em;margin:1em 0}"
            + ".problem.expected{border-left-color:#2ca02c}";
}
