package org.trainer.hpo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.trainer.core.io.AtomicFile;

/**
 * A study's plots, as PNGs drawn headless with JFreeChart (Optuna's visualization set):
 * the optimization history (each COMPLETE trial's value by trial number, and the best so far),
 * parallel coordinates (one line per COMPLETE trial across the parameters, each at its position
 * in its range's scaling, and the objective; coloured from dark blue, worst, to yellow, best) and
 * one slice per parameter (the objective against that parameter, on a log axis for LOG ranges,
 * by choice for categoricals). Warm-start observations (negative numbers) are drawn with the
 * study's own trials.
 */
public final class StudyPlots {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private StudyPlots() {
    }

    /**
     * Writes optimization_history.png, parallel_coordinates.png and slice_NAME.png per parameter; returns the files.
     *
     * @param study the study
     * @param dir the output directory
     * @return the files written
     */
    public static List<Path> writeAll(Study study, Path dir) {
        List<Path> out = new ArrayList<>();
        out.add(write(optimizationHistory(study), dir.resolve("optimization_history.png")));
        out.add(write(parallelCoordinates(study), dir.resolve("parallel_coordinates.png")));
        for (String name : parameters(study).keySet()) {
            out.add(write(slice(study, name), dir.resolve("slice_" + name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png")));
        }
        return out;
    }

    static Path write(JFreeChart chart, Path file) {
        try {
            AtomicFile.write(file, o -> ChartUtils.writeChartAsPNG(o, chart, WIDTH, HEIGHT));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static List<FrozenTrial> complete(Study study) {
        return TrialTable.rows(study).stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
    }

    /** The range of each parameter (the declared space, else the one its trials used, first seen first). */
    static Map<String, Range> parameters(Study study) {
        if (study.space().isPresent()) {
            return study.space().get().ranges();
        }
        Map<String, Range> out = new java.util.LinkedHashMap<>();
        for (FrozenTrial t : study.trials()) {
            study.distributions(t.number()).forEach(out::putIfAbsent);
        }
        return out;
    }

    /**
     * Objective value per trial and the best so far.
     *
     * @param study the study
     * @return the chart
     */
    public static JFreeChart optimizationHistory(Study study) {
        XYSeries values = new XYSeries("objective value");
        XYSeries best = new XYSeries("best so far");
        Double b = null;
        for (FrozenTrial t : complete(study)) {
            values.add(t.number(), t.value());
            if (b == null || study.direction().better(t.value(), b)) {
                b = t.value();
            }
            best.add(t.number(), b);
        }
        XYSeriesCollection ds = new XYSeriesCollection();
        ds.addSeries(values);
        ds.addSeries(best);
        JFreeChart chart = ChartFactory.createXYLineChart("Optimization history: " + study.name(), "trial",
                "objective value (" + study.direction().name().toLowerCase() + ")", ds, PlotOrientation.VERTICAL, true, false, false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, false);
        r.setSeriesShapesVisible(0, true);
        r.setSeriesPaint(0, new Color(31, 119, 180));
        r.setSeriesLinesVisible(1, true);
        r.setSeriesShapesVisible(1, false);
        r.setSeriesPaint(1, new Color(214, 39, 40));
        r.setSeriesStroke(1, new BasicStroke(2f));
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(r);
        style(plot);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }

    /**
     * One line per COMPLETE trial across the parameters (unit positions) and the objective (min-max scaled).
     *
     * @param study the study
     * @return the chart
     */
    public static JFreeChart parallelCoordinates(Study study) {
        Map<String, Range> params = parameters(study);
        List<String> names = new ArrayList<>(params.keySet());
        List<FrozenTrial> trials = complete(study);
        double lo = trials.stream().mapToDouble(FrozenTrial::value).min().orElse(0);
        double hi = trials.stream().mapToDouble(FrozenTrial::value).max().orElse(1);
        XYSeriesCollection ds = new XYSeriesCollection();
        List<Color> colors = new ArrayList<>();
        for (FrozenTrial t : trials) {
            XYSeries s = new XYSeries("trial " + t.number(), false, true);
            boolean ok = true;
            for (int i = 0; i < names.size() && ok; i++) {
                Object v = t.params().get(names.get(i));
                ok = v != null && params.get(names.get(i)).contains(v);
                if (ok) {
                    s.add(i, params.get(names.get(i)).toUnit(v));
                }
            }
            if (!ok) {
                continue; // a define-by-run trial without this parameter
            }
            double q = hi > lo ? (t.value() - lo) / (hi - lo) : 1;
            s.add(names.size(), q);
            ds.addSeries(s);
            colors.add(colormap(study.direction() == Direction.MAXIMIZE ? q : 1 - q));
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Parallel coordinates: " + study.name(), null,
                "position in range (0 = low, 1 = high; objective: worst to best)", ds, PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        List<String> axes = new ArrayList<>(names);
        axes.add("objective");
        SymbolAxis x = new SymbolAxis(null, axes.toArray(new String[0]));
        x.setGridBandsVisible(false);
        plot.setDomainAxis(x);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setAutoPopulateSeriesShape(false); // one marker for every trial; colour carries the value
        r.setDefaultShape(new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
        for (int i = 0; i < colors.size(); i++) {
            r.setSeriesPaint(i, colors.get(i));
            r.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        plot.setRenderer(r);
        style(plot);
        plot.setDomainGridlinePaint(Color.DARK_GRAY);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setRange(-0.02, 1.02);
        return chart;
    }

    /**
     * The objective against one parameter.
     *
     * @param study the study
     * @param name the parameter's name
     * @return the chart
     */
    public static JFreeChart slice(Study study, String name) {
        Range range = parameters(study).get(name);
        if (range == null) {
            throw new IllegalArgumentException("StudyPlots: no parameter named '" + name + "'; have " + parameters(study).keySet());
        }
        XYSeries s = new XYSeries(name, false, true);
        for (FrozenTrial t : complete(study)) {
            Object v = t.params().get(name);
            if (v == null || !range.contains(v)) {
                continue;
            }
            double x = range instanceof CategoricalRange c ? c.indexOf(v) : ((Number) v).doubleValue();
            s.add(x, t.value());
        }
        JFreeChart chart = ChartFactory.createScatterPlot("Slice: " + name, name, "objective value", new XYSeriesCollection(s),
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        if (range instanceof CategoricalRange c) {
            plot.setDomainAxis(new SymbolAxis(name, c.choices().stream().map(String::valueOf).toArray(String[]::new)));
        } else if (range instanceof FloatRange f && f.scale() == Scale.LOG || range instanceof IntRange i && i.scale() == Scale.LOG) {
            LogAxis ax = new LogAxis(name + " (log)");
            ax.setSmallestValue(1e-300);
            plot.setDomainAxis(ax);
        } else {
            ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        }
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        plot.getRenderer().setSeriesPaint(0, new Color(31, 119, 180));
        style(plot);
        return chart;
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    }

    /** Dark blue (0) through teal and green to yellow (1), close to viridis. */
    static Color colormap(double q) {
        double[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double p = Math.min(1, Math.max(0, q)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) p);
        double f = p - i;
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (int) Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
        }
        return new Color(c[0], c[1], c[2]);
    }
}
