package org.trainer.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.trainer.core.monitor.ProfileReport;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.Phase;

/**
 * The report's charts, drawn with JFreeChart and encoded as PNG. The x axis of every curve is the
 * epoch (1-based, the end of the epoch); per-step losses sit at step / steps-per-epoch, so that
 * they line up with the per-epoch figures. The y axis of a curve follows the per-epoch figures and
 * the middle 96% of the per-step losses, not their spikes: per-step losses outside it are clipped, and
 * a subtitle says how many and how far; epoch figures spanning more than a factor {@value #LOG_SPAN}
 * (a diverged run) get a log axis.
 */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 420;
    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VALIDATION = new Color(0xff7f0e);
    private static final Color STEPS = new Color(0x1f, 0x77, 0xb4, 0x38);
    /** Epoch figures spanning more than this factor are drawn on a log axis. */
    static final double LOG_SPAN = 100;
    /** Room above and below the epoch figures, as a share of their span. */
    private static final double MARGIN = 0.1;
    /** The share of per-step values at either end that the axis may leave out. */
    private static final double STEP_TAIL = 0.02;
    /** Vertical offset between the labels of neighbouring markers, in pixels, and how many levels. */
    private static final int LABEL_STEP = 13;
    private static final int LABEL_LEVELS = 5;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** Training and validation curves of one figure ("loss", "accuracy", ...), with per-step losses for "loss". */
    static JFreeChart curve(History h, String name) {
        boolean steps = name.equals("loss") && !h.stepLosses().isEmpty() && h.epochCount() > 0;
        return curve(name, steps ? h.stepLosses() : List.of(), h.all().getOrDefault(name, List.of()),
                h.all().get("val_" + name));
    }

    /**
     * Training and validation curves of one figure from its series: per-step values (empty for none,
     * spread evenly over the epochs), per-epoch training values and validation values (null for none).
     */
    static JFreeChart curve(String name, List<Double> stepValues, List<Double> train, List<Double> val) {
        XYSeriesCollection data = new XYSeriesCollection();
        boolean steps = !stepValues.isEmpty() && !train.isEmpty();
        if (steps) {
            data.addSeries(stepSeries(stepValues, stepValues.size() / (double) train.size()));
        }
        data.addSeries(epochSeries("training " + name, train));
        if (val != null) {
            data.addSeries(epochSeries("validation " + name, val));
        }
        JFreeChart chart = ChartFactory.createXYLineChart(name, "epoch", name, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = style(chart);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        int i = 0;
        if (steps) {
            r.setSeriesPaint(i, STEPS);
            r.setSeriesShapesVisible(i, false);
            r.setSeriesStroke(i, new BasicStroke(1f));
            i++;
        }
        r.setSeriesPaint(i, TRAIN);
        r.setSeriesStroke(i, new BasicStroke(2.5f));
        if (val != null) {
            r.setSeriesPaint(i + 1, VALIDATION);
            r.setSeriesStroke(i + 1, new BasicStroke(2.5f));
        }
        plot.setRenderer(r);
        List<Double> epochs = new java.util.ArrayList<>(train);
        if (val != null) {
            epochs.addAll(val);
        }
        scaleToEpochs(chart, epochs, steps ? stepValues : List.of());
        return chart;
    }

    /**
     * Fits the range axis to the finite epoch figures (log axis when they span over {@value #LOG_SPAN}
     * and are all positive) and notes, as a subtitle, the per-step values left outside.
     */
    private static void scaleToEpochs(JFreeChart chart, List<Double> epochs, List<Double> steps) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : epochs) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            return;
        }
        XYPlot plot = chart.getXYPlot();
        String label = plot.getRangeAxis().getLabel();
        boolean log = lo > 0 && hi > LOG_SPAN * lo;
        // The bulk of the per-step values stays in view; only the outer 2% on either side may be clipped.
        double[] finite = steps.stream().filter(v -> Double.isFinite(v) && (!log || v > 0)).mapToDouble(v -> v)
                .sorted().toArray();
        if (finite.length > 0) {
            lo = Math.min(lo, finite[(int) Math.round(STEP_TAIL * (finite.length - 1))]);
            hi = Math.max(hi, finite[(int) Math.round((1 - STEP_TAIL) * (finite.length - 1))]);
        }
        double top;
        double bottom;
        if (log) {
            org.jfree.chart.axis.LogAxis axis = new org.jfree.chart.axis.LogAxis(label + " (log scale)");
            bottom = lo / 1.5;
            top = hi * 1.5;
            axis.setRange(bottom, top);
            axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // a tick at each power of 10
            axis.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
            plot.setRangeAxis(axis);
        } else {
            double pad = hi > lo ? MARGIN * (hi - lo) : Math.max(MARGIN * Math.abs(hi), 1e-12);
            bottom = lo - pad;
            top = hi + pad;
            plot.getRangeAxis().setRange(bottom, top);
        }
        int above = 0;
        int below = 0;
        double highest = Double.NEGATIVE_INFINITY;
        for (double v : steps) {
            if (Double.isFinite(v) && v > top) {
                above++;
                highest = Math.max(highest, v);
            } else if (Double.isFinite(v) && v < bottom) {
                below++;
            }
        }
        if (above + below > 0) {
            chart.addSubtitle(new org.jfree.chart.title.TextTitle(String.format("the axis follows the epoch curves"
                    + " and 96%% of the per-step values: %d of %d lie outside and are clipped%s", above + below, steps.size(),
                    above > 0 ? String.format(" (%d above, up to %.4g)", above, highest) : ""),
                    new Font(Font.SANS_SERIF, Font.ITALIC, 11)));
        }
    }

    /**
     * The learning rate per epoch as steps (it holds for the whole epoch), on a log axis when it
     * spans more than a factor of 10.
     */
    static JFreeChart learningRate(History h) {
        List<Double> lr = h.all().get("lr");
        // Epoch e (1-based) trains over [e - 1, e] on the axis of the per-step losses.
        XYSeries s = new XYSeries("learning rate", false, true);
        for (int i = 0; i < lr.size(); i++) {
            if (Double.isFinite(lr.get(i))) {
                s.add(i, lr.get(i));
            }
        }
        if (!lr.isEmpty() && Double.isFinite(lr.get(lr.size() - 1))) {
            s.add(lr.size(), lr.get(lr.size() - 1));
        }
        XYSeriesCollection data = new XYSeriesCollection(s);
        JFreeChart chart = ChartFactory.createXYLineChart("learning rate", "epoch", "learning rate", data,
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = style(chart);
        double min = lr.stream().filter(v -> Double.isFinite(v) && v > 0).mapToDouble(v -> v).min().orElse(0);
        double max = lr.stream().filter(Double::isFinite).mapToDouble(v -> v).max().orElse(0);
        if (min > 0 && max > 10 * min) {
            org.jfree.chart.axis.LogAxis log = new org.jfree.chart.axis.LogAxis("learning rate");
            plot.setRangeAxis(log);
        } else if (max > 0) {
            // From 0, so that a constant rate gets a span (and distinct tick labels) instead of one repeated value.
            NumberAxis axis = (NumberAxis) plot.getRangeAxis();
            axis.setStandardTickUnits(NumberAxis.createStandardTickUnits());
            axis.setRange(0, max * 1.25);
        }
        XYStepRenderer r = new XYStepRenderer();
        r.setSeriesPaint(0, new Color(0x2ca02c));
        r.setSeriesStroke(0, new BasicStroke(2.5f));
        r.setDefaultShapesVisible(true);
        plot.setRenderer(r);
        return chart;
    }

    /**
     * The training loss with a vertical marker at each step where rules reported, coloured by the most
     * serious finding there and labelled with its rules ("DeadRelu, WeightUpdateRatio x3"); labels of
     * successive markers are staggered over {@value #LABEL_LEVELS} heights so that neighbours do not overlap.
     */
    static JFreeChart timeline(History h, List<Finding> findings) {
        JFreeChart chart = curve(h, "loss");
        chart.setTitle("rule findings on the loss curve");
        XYPlot plot = chart.getXYPlot();
        double perEpoch = stepsPerEpoch(h);
        Map<Double, List<Finding>> byX = new java.util.TreeMap<>();
        for (Finding f : findings) {
            double x = perEpoch > 0 ? f.iteration() / perEpoch : f.epoch() + 1;
            byX.computeIfAbsent(x, k -> new java.util.ArrayList<>()).add(f);
        }
        int level = 0;
        for (Map.Entry<Double, List<Finding>> e : byX.entrySet()) {
            Finding.Severity worst = e.getValue().stream().map(Finding::severity).max(Enum::compareTo).orElseThrow();
            ValueMarker m = new ValueMarker(e.getKey(), severityColor(worst), new BasicStroke(1.5f));
            m.setLabel(markerLabel(e.getValue()));
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            m.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(2 + LABEL_STEP * level, 2, 2, 2));
            plot.addDomainMarker(m);
            level = (level + 1) % LABEL_LEVELS;
        }
        return chart;
    }

    /** The rules of the findings at one step, in order of first appearance, with a count where one repeats. */
    static String markerLabel(List<Finding> at) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        at.forEach(f -> counts.merge(f.rule(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        counts.forEach((rule, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(rule)
                .append(n > 1 ? " x" + n : ""));
        return sb.toString();
    }

    static Color severityColor(Finding.Severity s) {
        return switch (s) {
            case INFO -> new Color(0x1f77b4);
            case WARNING -> new Color(0xe6a000);
            case ERROR -> new Color(0xd62728);
        };
    }

    /** The share of the step time in each phase, as horizontal bars. */
    static JFreeChart profile(ProfileReport p) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<Phase, org.trainer.core.monitor.PhaseStats> e : p.phases().entrySet()) {
            data.addValue(100 * e.getValue().fraction(), "share of the step time", e.getKey().label());
        }
        JFreeChart chart = ChartFactory.createBarChart("where a training step's time goes", "phase",
                "% of the step time", data, PlotOrientation.HORIZONTAL, false, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.getCategoryPlot().getRenderer().setSeriesPaint(0, TRAIN);
        ((NumberAxis) chart.getCategoryPlot().getRangeAxis()).setUpperBound(100);
        return chart;
    }

    /** The chart as PNG bytes. */
    static byte[] png(JFreeChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the chart '" + chart.getTitle().getText() + "'", e);
        }
        return out.toByteArray();
    }

    private static XYPlot style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return plot;
    }

    /** Finite values only: a NaN or infinite value leaves a gap (and would break the axis range). */
    private static XYSeries epochSeries(String key, List<Double> values) {
        XYSeries s = new XYSeries(key, false, true);
        for (int i = 0; i < values.size(); i++) {
            if (Double.isFinite(values.get(i))) {
                s.add(i + 1, values.get(i));
            }
        }
        return s;
    }

    private static XYSeries stepSeries(List<Double> steps, double perEpoch) {
        XYSeries s = new XYSeries("training loss per step", false, true);
        for (int i = 0; i < steps.size(); i++) {
            if (Double.isFinite(steps.get(i))) {
                s.add((i + 1) / perEpoch, steps.get(i));
            }
        }
        return s;
    }

    /** Recorded steps / epochs, or 0 without per-step losses. */
    static double stepsPerEpoch(History h) {
        return h.stepLosses().isEmpty() || h.epochCount() == 0 ? 0 : h.stepLosses().size() / (double) h.epochCount();
    }
}
