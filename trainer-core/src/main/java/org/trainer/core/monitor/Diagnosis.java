package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.trainer.core.train.History;

/**
 * Reads a training {@link History} (and the findings of the rules that watched the run) and names
 * what went wrong: the symptom, the figures that show it, the likely causes and the fixes.
 *
 * <p>The loss series is the per-step loss when the trainer recorded it
 * ({@code trainer.recordStepLosses(true)}, at least {@value #MIN_STEPS} steps), else the per-epoch
 * "loss". It is cut into four quarters with means q1..q4; "improvement" is (q1 - q4) / q1 and "late
 * drop" is q3 - q4. The symptoms and their thresholds:
 * <ul>
 *   <li>{@link Symptom#LOSS_NAN}: a non-finite training or validation loss;</li>
 *   <li>{@link Symptom#LOSS_OSCILLATING}: the mean absolute step-to-step change over the second half
 *       exceeds {@value #SWING} x its mean loss while the loss kept over {@value #KEPT} of its start
 *       (q4 &gt; {@value #KEPT} q1), or the epoch loss rose by over 2% in at least a third of the
 *       epoch transitions (two at least), or the loss ended higher than it began (q4 over
 *       1 + {@value #ROSE} times q1), or it diverged (q4 over {@value #DIVERGED} x the first step's loss);</li>
 *   <li>{@link Symptom#LOSS_NOT_DECREASING}: improvement under {@value #NO_PROGRESS}, or under
 *       {@value #LITTLE} without the steady fall of a slow decrease; when the first
 *       tenth of the steps threw the loss over {@value #SPIKE} x its first value, a learning rate too high
 *       (the model collapsed) is named first, else one too low;</li>
 *   <li>{@link Symptom#SLOW_DECREASE}: improvement under {@value #SLOW} while the late drop is still at
 *       least {@value #STILL_FALLING} of the whole drop (q1 - q4) and every epoch's loss is below the one
 *       before: no plateau yet;</li>
 *   <li>{@link Symptom#UNDERFITTING}: a plateau (late drop under {@value #PLATEAU} of q3) at a high
 *       level (training accuracy under {@value #LOW_ACCURACY} where "accuracy" is recorded, else q4
 *       above {@value #KEPT} q1), with validation loss within 20% of training loss;</li>
 *   <li>{@link Symptom#OVERFITTING}: the last validation loss over 1 + {@value #VAL_RISE} times its best
 *       while training loss fell since, or training accuracy over validation accuracy by more than
 *       {@value #ACCURACY_GAP}, or training loss under half the validation loss once validation stopped
 *       improving (last at least 1.02 times its best);</li>
 *   <li>{@link Symptom#VALIDATION_BETTER_THAN_TRAINING}: validation loss under 95% of training loss
 *       in at least half the epochs and in the last one, the training loss neither oscillating nor flat
 *       (expected with dropout or augmentation).</li>
 * </ul>
 * A rule's finding (LossNotDecreasing, Overfit, Overtraining) adds its symptom even where the history
 * alone does not show it. Others name causes: VanishingGradient and PoorWeightInitialization become
 * the first cause of a flat loss, ExplodingTensor that of a NaN or oscillating loss; WeightUpdateRatio is
 * quoted with a rate too low, DeadRelu and SaturatedActivation with a model too small or a rate too low.
 */
public final class Diagnosis {
    static final int MIN_STEPS = 20;
    static final double SWING = 0.5;
    static final double KEPT = 0.3;
    static final double NO_PROGRESS = 0.01;
    static final double LITTLE = 0.05;
    static final double SLOW = 0.5;
    static final double STILL_FALLING = 0.2;
    static final double DIVERGED = 2;
    static final double ROSE = 0.02;
    static final double SPIKE = 1.2;
    static final double PLATEAU = 0.05;
    static final double LOW_ACCURACY = 0.9;
    static final double VAL_RISE = 0.1;
    static final double ACCURACY_GAP = 0.1;

    private final List<Problem> problems;

    private Diagnosis(List<Problem> problems) {
        this.problems = List.copyOf(problems);
    }

    /**
     * Diagnoses a run from its history and the findings recorded in it.
     *
     * @param history the run's history
     * @return the diagnosis
     */
    public static Diagnosis of(History history) {
        return new Diagnosis(new Analysis(history).run());
    }

    /**
     * Every symptom found, the most serious first (NaN, oscillation, no progress, ...); empty for a healthy run.
     *
     * @return the problems
     */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * Whether the diagnosis names this symptom.
     *
     * @param symptom the symptom
     * @return whether it was found
     */
    public boolean has(Symptom symptom) {
        return find(symptom).isPresent();
    }

    /**
     * The problem with this symptom, if the diagnosis names it.
     *
     * @param symptom the symptom
     * @return the problem, or empty
     */
    public Optional<Problem> find(Symptom symptom) {
        return problems.stream().filter(p -> p.symptom() == symptom).findFirst();
    }

    @Override
    public String toString() {
        if (problems.isEmpty()) {
            return "no problem found";
        }
        StringBuilder sb = new StringBuilder();
        problems.forEach(p -> sb.append(p).append('\n'));
        return sb.toString();
    }

    /** One pass over a history. */
    private static final class Analysis {
        private final History h;
        private final Map<String, List<Double>> figures;
        private final List<Finding> findings;
        private final List<Problem> out = new ArrayList<>();

        Analysis(History h) {
            this.h = h;
            this.figures = h.all();
            this.findings = h.findings();
        }

        List<Problem> run() {
            List<Double> steps = h.stepLosses();
            boolean perStep = steps.size() >= MIN_STEPS;
            List<Double> loss = perStep ? steps : series("loss");
            String unit = perStep ? "step" : "epoch";
            if (nan(loss, unit) || nan(series("val_loss"), "epoch (validation)")) {
                return out;
            }
            if (loss.size() >= 4) {
                lossShape(loss, unit);
            }
            validation(!has(Symptom.LOSS_OSCILLATING) && !has(Symptom.LOSS_NOT_DECREASING));
            fromFindings();
            return out;
        }

        private List<Double> series(String name) {
            return figures.getOrDefault(name, List.of());
        }

        private boolean nan(List<Double> loss, String unit) {
            for (int i = 0; i < loss.size(); i++) {
                if (!Double.isFinite(loss.get(i))) {
                    double lastFinite = i == 0 ? Double.NaN : loss.get(i - 1);
                    double first = loss.get(0);
                    boolean grew = i > 1 && Math.abs(lastFinite) > 10 * Math.abs(first);
                    Optional<Finding> exploding = finding("ExplodingTensor");
                    List<String> causes = new ArrayList<>();
                    List<String> fixes = new ArrayList<>();
                    if (grew || exploding.isPresent()) {
                        causes.add("exploding gradients: the learning rate is too high for the model"
                                + exploding.map(f -> " (" + f.message() + ")").orElse(""));
                        fixes.add("clip gradients (GradientClipping.byNorm(optimizer, 1.0)) and lower the"
                                + " learning rate 10x, or warm it up");
                    }
                    causes.add("bad data: a NaN or infinite value in the inputs or targets");
                    fixes.add("check the inputs (DataChecks.classification / regression) and normalise them");
                    causes.add("a numerically unsafe step: log or division of zero in a custom loss or layer");
                    fixes.add("use the fused losses (CrossEntropyLoss from logits) and add an epsilon");
                    if (!grew && exploding.isEmpty()) {
                        causes.add("a learning rate too high");
                        fixes.add("lower the learning rate 10x");
                    }
                    out.add(new Problem(Symptom.LOSS_NAN, String.format("the %s loss is %s at %s %d of %d;"
                                    + " the loss before was %.4g (the first %.4g)%s", unit.startsWith("epoch") ? unit
                                    : "training", loss.get(i), unit.startsWith("epoch") ? "epoch" : "step", i + 1,
                                    loss.size(), lastFinite, first, lr()),
                            causes, fixes, false));
                    return true;
                }
            }
            return false;
        }

        private void lossShape(List<Double> loss, String unit) {
            int n = loss.size();
            double q1 = mean(loss, 0, n / 4);
            double q3 = mean(loss, n / 2, 3 * n / 4);
            double q4 = mean(loss, 3 * n / 4, n);
            double improvement = (q1 - q4) / Math.abs(q1);
            double drop = q1 - q4;
            double lateDrop = q3 - q4;
            String shape = String.format("mean %s loss %.4g in the first quarter, %.4g in the last (%+.1f%%)%s",
                    unit, q1, q4, -100 * improvement, lr());

            double swing = 0;
            for (int i = n / 2 + 1; i < n; i++) {
                swing += Math.abs(loss.get(i) - loss.get(i - 1));
            }
            swing /= Math.max(1, n - n / 2 - 1);
            double level = Math.abs(mean(loss, n / 2, n));
            List<Double> epochLoss = series("loss");
            int rises = 0;
            for (int i = 1; i < epochLoss.size(); i++) {
                if (epochLoss.get(i) > 1.02 * epochLoss.get(i - 1)) {
                    rises++;
                }
            }
            boolean swinging = swing > SWING * level && q4 > KEPT * q1;
            boolean rising = rises >= 2 && rises * 3 >= epochLoss.size() - 1;
            double start = loss.get(0);
            boolean diverged = q4 > DIVERGED * start;
            boolean rose = q4 > (1 + ROSE) * q1;
            if (swinging || rising || diverged || rose) {
                Optional<Finding> exploding = finding("ExplodingTensor");
                out.add(new Problem(Symptom.LOSS_OSCILLATING, String.format("%sthe loss changes by %.3g per %s on"
                                + " average in the second half, %.0f%% of its level %.4g; it rose in %d of %d"
                                + " epochs; %s", diverged ? String.format("the loss diverged from %.4g to %.4g; ",
                                        start, q4) : "", swing, unit, 100 * swing / level, level, rises,
                                Math.max(0, epochLoss.size() - 1), shape),
                        List.of("the learning rate is too high: the steps overshoot the minimum"
                                        + exploding.map(f -> " (" + f.message() + ")").orElse(""),
                                "a batch size so small that the gradient is mostly noise"),
                        List.of("reduce the learning rate 10x, or add a schedule (warm-up, then cosine or step"
                                        + " decay) or ReduceLrOnPlateau",
                                "use larger batches, or clip gradients (GradientClipping.byNorm)"),
                        false));
                return;
            }
            boolean steady = lateDrop >= STILL_FALLING * drop && monotone(epochLoss);
            if (improvement < NO_PROGRESS || (improvement < LITTLE && !steady)) {
                double early = loss.get(0);
                for (int i = 1; i < Math.max(2, n / 10); i++) {
                    early = Math.max(early, loss.get(i));
                }
                notDecreasing(shape, early > SPIKE * loss.get(0) ? String.format("the learning rate is too high:"
                        + " the first steps threw the loss from %.4g up to %.4g and the model collapsed (dead"
                        + " ReLUs, saturated outputs)", loss.get(0), early) : null);
                return;
            }
            if (improvement < SLOW && steady) {
                out.add(new Problem(Symptom.SLOW_DECREASE, "the loss still falls steadily at the end but has"
                        + " not halved: " + shape,
                        List.of("a learning rate on the low side" + cause("VanishingGradient", "SaturatedActivation"),
                                "large batches: few updates per epoch",
                                "no warm-up, so a safe rate had to be small"),
                        List.of("raise the learning rate 3-10x (run the LR range test, LrFinder), or switch to Adam",
                                "use smaller batches for more updates per epoch",
                                "warm the rate up (LinearWarmupSchedule), then use a higher peak; or train longer"),
                        false));
                return;
            }
            boolean plateau = Math.abs(lateDrop) < PLATEAU * Math.abs(q3);
            List<Double> accuracy = series("accuracy");
            boolean high = accuracy.isEmpty() ? q4 > KEPT * q1 : accuracy.get(accuracy.size() - 1) < LOW_ACCURACY;
            List<Double> val = series("val_loss");
            List<Double> epochs = series("loss");
            boolean close = val.isEmpty() || epochs.isEmpty()
                    || Math.abs(last(val) - last(epochs)) <= 0.2 * Math.abs(last(epochs));
            if (plateau && high && close) {
                out.add(new Problem(Symptom.UNDERFITTING, String.format("the loss levelled off at %.4g (late drop"
                                + " %.2f%%)%s%s; %s", q4, 100 * lateDrop / Math.abs(q3),
                                accuracy.isEmpty() ? "" : String.format(", training accuracy %.3f", last(accuracy)),
                                val.isEmpty() ? "" : String.format(", validation loss %.4g", last(val)), shape),
                        List.of("a model too small for the task" + cause("DeadRelu", "SaturatedActivation"),
                                "too strong constraints: heavy regularization (L2, dropout, max-norm)",
                                "too few epochs at a rate that has decayed"),
                        List.of("a bigger model: wider or deeper layers, a convolutional body for images",
                                "fewer constraints: less weight decay, lower dropout",
                                "train longer, or restart the schedule"),
                        false));
            }
        }

        private void notDecreasing(String shape, String tooHigh) {
            List<String> causes = new ArrayList<>();
            List<String> fixes = new ArrayList<>();
            if (tooHigh != null) {
                causes.add(tooHigh);
                fixes.add("lower the learning rate 10x and warm it up (LinearWarmupSchedule)");
            }
            Optional<Finding> vanishing = finding("VanishingGradient");
            Optional<Finding> init = finding("PoorWeightInitialization");
            Optional<Finding> ratio = finding("WeightUpdateRatio");
            if (vanishing.isPresent() || init.isPresent()) {
                causes.add("vanishing gradients (" + vanishing.or(() -> init).get().message() + ")");
                fixes.add("ReLU-family activations with Kaiming initialization, batch or layer normalization,"
                        + " residual connections");
            }
            if (tooHigh == null) {
                causes.add("the learning rate is too low" + ratio.map(f -> " (" + f.message() + ")").orElse(""));
                fixes.add("raise the learning rate 10x, or find it with the LR range test (LrFinder)");
            }
            if (vanishing.isEmpty() && init.isEmpty()) {
                causes.add("vanishing gradients (deep sigmoid/tanh stacks, poor initialization)");
                fixes.add("ReLU-family activations with Kaiming initialization, normalization layers");
            }
            causes.add("a bug: labels that do not match the inputs, a frozen or detached model, a loss on the"
                    + " wrong outputs");
            fixes.add("check that the model can overfit one small batch; check the parameters are trainable"
                    + " and the labels line up with the samples");
            out.add(new Problem(Symptom.LOSS_NOT_DECREASING, "the loss stays where it started: " + shape,
                    causes, fixes, false));
        }

        /** Overfitting, or (when the training loss behaves: {@code trainingSane}) validation better than training. */
        private void validation(boolean trainingSane) {
            List<Double> loss = series("loss");
            List<Double> val = series("val_loss");
            int n = Math.min(loss.size(), val.size());
            if (n == 0) {
                return;
            }
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (val.get(i) < val.get(best)) {
                    best = i;
                }
            }
            double valLast = val.get(n - 1);
            double lossLast = loss.get(n - 1);
            boolean rose = valLast > (1 + VAL_RISE) * val.get(best) && lossLast < loss.get(best);
            List<Double> acc = series("accuracy");
            List<Double> valAcc = series("val_accuracy");
            double gap = acc.isEmpty() || valAcc.isEmpty() ? Double.NaN : last(acc) - last(valAcc);
            boolean accuracyGap = gap > ACCURACY_GAP;
            boolean lossGap = lossLast < 0.5 * valLast && valLast >= 1.02 * val.get(best);
            Optional<Finding> rule = finding("Overfit").or(() -> finding("Overtraining"));
            if (rose || accuracyGap || lossGap || rule.isPresent()) {
                out.add(new Problem(Symptom.OVERFITTING, String.format("validation loss was best at epoch %d (%.4g)"
                                + " and is %.4g at epoch %d while training loss went %.4g -> %.4g%s%s",
                                best + 1, val.get(best), valLast, n, loss.get(best), lossLast,
                                Double.isNaN(gap) ? "" : String.format("; training accuracy %.3f, validation %.3f",
                                        last(acc), last(valAcc)),
                                rule.map(f -> "; " + f.rule() + ": " + f.message()).orElse("")),
                        List.of("the model memorises the training set: too much capacity for too little data"),
                        List.of("more data, or augmentation", "dropout", "L2 weight decay (RegularizedLoss, AdamW)",
                                "early stopping (EarlyStopping with restore-best-weights)",
                                "less capacity: fewer or narrower layers"),
                        false));
                return;
            }
            int better = 0;
            for (int i = 0; i < n; i++) {
                if (val.get(i) < 0.95 * loss.get(i)) {
                    better++;
                }
            }
            if (trainingSane && 2 * better >= n && valLast < lossLast) {
                out.add(new Problem(Symptom.VALIDATION_BETTER_THAN_TRAINING, String.format("validation loss is below"
                                + " training loss in %d of %d epochs (last: %.4g against %.4g)", better, n, valLast,
                                lossLast),
                        List.of("dropout, augmentation or a penalty act on training only, so training batches are"
                                        + " harder than validation ones",
                                "the training loss is averaged over the epoch while the model improves; validation"
                                        + " is measured after it",
                                "a validation set easier than the training set, or overlapping it"),
                        List.of("nothing to fix when dropout, augmentation or a penalty are on",
                                "otherwise check how the validation set was split (stratified, no duplicates of"
                                        + " training samples)"),
                        true));
            }
        }

        /** Symptoms a rule reported that the history alone did not show. */
        private void fromFindings() {
            if (!has(Symptom.LOSS_NOT_DECREASING) && !has(Symptom.LOSS_OSCILLATING)) {
                finding("LossNotDecreasing").ifPresent(f -> notDecreasing("LossNotDecreasing at epoch "
                        + (f.epoch() + 1) + ": " + f.message(), null));
            }
        }

        private boolean has(Symptom s) {
            return out.stream().anyMatch(p -> p.symptom() == s);
        }

        private Optional<Finding> finding(String rule) {
            return findings.stream().filter(f -> f.rule().equals(rule)).findFirst();
        }

        /** " (RuleName: message)" for the first of the rules that reported something, else "". */
        private String cause(String... rules) {
            for (String r : rules) {
                Optional<Finding> f = finding(r);
                if (f.isPresent()) {
                    return " (" + r + ": " + f.get().message() + ")";
                }
            }
            return "";
        }

        private String lr() {
            List<Double> lr = series("lr");
            if (lr.isEmpty()) {
                return "";
            }
            double first = lr.get(0);
            double lastLr = last(lr);
            return first == lastLr ? String.format(" at learning rate %.3g", first)
                    : String.format(" at learning rate %.3g -> %.3g", first, lastLr);
        }

        /** True when every epoch's loss is below the one before (vacuously for fewer than two epochs). */
        private static boolean monotone(List<Double> s) {
            for (int i = 1; i < s.size(); i++) {
                if (!(s.get(i) < s.get(i - 1))) {
                    return false;
                }
            }
            return true;
        }

        private static double last(List<Double> s) {
            return s.get(s.size() - 1);
        }

        private static double mean(List<Double> s, int from, int to) {
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += s.get(i);
            }
            return sum / Math.max(1, to - from);
        }
    }
}
