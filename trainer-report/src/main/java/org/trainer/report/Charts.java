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
import org.trainer.core.monitor.Finding;
import org.trainer.core.monitor.Phase;
import org.trainer.core.monitor.ProfileReport;
import org.trainer.core.train.History;

/**
 * The report's charts, drawn with JFreeChart and encoded as PNG. The x axis of every curve is the
 * epoch (1-based, the end of the epoch); per-step losses sit at step / steps-per-epoch, so that
 * they line up with the per-epoch figures.
 */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 420;
    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VALIDATION = new Color(0xff7f0e);
    private static final Color STEPS = new Color(0x1f, 0x77, 0xb4, 0x38);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** Training and validation curves of one figure ("loss", "accuracy", ...), with per-step losses for "loss". */
    static JFreeChart curve(History h, String name) {
        XYSeriesCollection data = new XYSeriesCollection();
        boolean steps = name.equals("loss") && !h.stepLosses().isEmpty() && h.epochCount() > 0;
        if (steps) {
            data.addSeries(stepSeries(h));
        }
        data.addSeries(epochSeries("training " + name, h.all().get(name)));
        List<Double> val = h.all().get("val_" + name);
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
        return chart;
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
        }
        XYStepRenderer r = new XYStepRenderer();
        r.setSeriesPaint(0, new Color(0x2ca02c));
        r.setSeriesStroke(0, new BasicStroke(2.5f));
        r.setDefaultShapesVisible(true);
        plot.setRenderer(r);
        return chart;
    }

    /** The training loss with a vertical marker, coloured by severity and labelled with the rule, at each finding. */
    static JFreeChart timeline(History h, List<Finding> findings) {
        JFreeChart chart = curve(h, "loss");
        chart.setTitle("rule findings on the loss curve");
        XYPlot plot = chart.getXYPlot();
        double perEpoch = stepsPerEpoch(h);
        for (Finding f : findings) {
            double x = perEpoch > 0 ? f.iteration() / perEpoch : f.epoch() + 1;
            ValueMarker m = new ValueMarker(x, severityColor(f.severity()), new BasicStroke(1.5f));
            m.setLabel(f.rule());
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m);
        }
        return chart;
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

    private static XYSeries stepSeries(History h) {
        XYSeries s = new XYSeries("training loss per step", false, true);
        double perEpoch = stepsPerEpoch(h);
        List<Double> steps = h.stepLosses();
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
