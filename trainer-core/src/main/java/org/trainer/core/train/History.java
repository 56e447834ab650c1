package org.trainer.core.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-epoch figures of a fit, by name ("loss", "accuracy", "val_loss", "val_accuracy", "lr", ...),
 * the loss of every step when asked for, and the findings of rules watching the run.
 */
public final class History {
    private final Map<String, List<Double>> epochs = new LinkedHashMap<>();
    private final List<Double> stepLosses = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();

    /**
     * Appends one epoch's figures.
     *
     * @param logs the figures by name
     */
    public void addEpoch(Map<String, Double> logs) {
        int n = epochCount();
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            List<Double> series = epochs.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            while (series.size() < n) {
                series.add(Double.NaN);
            }
            series.add(e.getValue());
        }
    }

    void addStepLoss(double loss) {
        stepLosses.add(loss);
    }

    /**
     * Number of completed epochs.
     *
     * @return the number of epochs
     */
    public int epochCount() {
        return epochs.values().stream().mapToInt(List::size).max().orElse(0);
    }

    /**
     * The series of one figure, one value per epoch.
     *
     * @param name the figure, e.g. "val_loss"
     * @return its values, one per epoch
     */
    public List<Double> get(String name) {
        List<Double> s = epochs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("History: no figure named '" + name + "'; have " + epochs.keySet());
        }
        return Collections.unmodifiableList(s);
    }

    /**
     * The last epoch's value of a figure.
     *
     * @param name the figure, e.g. "val_loss"
     * @return its last value
     */
    public double last(String name) {
        List<Double> s = get(name);
        return s.get(s.size() - 1);
    }

    /**
     * Every per-epoch series by name, in the order the names first appeared (unmodifiable).
     *
     * @return the series
     */
    public Map<String, List<Double>> all() {
        return Collections.unmodifiableMap(epochs);
    }

    /**
     * The loss of every step, when the trainer records them.
     *
     * @return the losses, empty unless recorded
     */
    public List<Double> stepLosses() {
        return Collections.unmodifiableList(stepLosses);
    }

    /**
     * Records what a rule watching the run found. Thread-safe: rules may run off the training thread.
     *
     * @param finding the finding
     */
    public void addFinding(Finding finding) {
        synchronized (findings) {
            findings.add(Objects.requireNonNull(finding, "finding"));
        }
    }

    /**
     * The findings of the rules watching the run, in the order they were recorded.
     *
     * @return the findings
     */
    public List<Finding> findings() {
        synchronized (findings) {
            return List.copyOf(findings);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("epoch");
        epochs.keySet().forEach(k -> sb.append(String.format("  %12s", k)));
        sb.append('\n');
        for (int i = 0; i < epochCount(); i++) {
            sb.append(String.format("%5d", i + 1));
            for (List<Double> s : epochs.values()) {
                sb.append(String.format("  %12.5g", i < s.size() ? s.get(i) : Double.NaN));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
