package org.trainer.core.monitor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.trainer.core.train.Finding;
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
 *       {@value #LITTLE} without the steady fall of a slow decrease, or (a collapse) the first tenth of
 *       the steps threw the loss over {@value #SPIKE} x its first value and q4 stayed above
 *       {@value #COLLAPSED} x that first value; after such a spike a learning rate too high is named
 *       first; then the rules' causes, then labels that do not match the inputs where the validation
 *       loss shows it (below), then a learning rate too low;</li>
 *   <li>{@link Symptom#SLOW_DECREASE}: improvement under {@value #SLOW} while the late drop is still at
 *       least {@value #STILL_FALLING} of the whole drop (q1 - q4) and every epoch's loss is below the one
 *       before: no plateau yet;</li>
 *   <li>{@link Symptom#UNDERFITTING}: a plateau (late drop under {@value #PLATEAU} of q3) at a high
 *       level (training accuracy under {@value #LOW_ACCURACY} where "accuracy" is recorded, else q4
 *       above {@value #KEPT} q1), with validation loss within 20% of training loss;</li>
 *   <li>{@link Symptom#OVERFITTING}, only while the training loss neither oscillates nor stays flat
 *       and the best validation loss is not the last epoch's: the mean validation loss of the last three
 *       epochs over 1 + {@value #VAL_RISE} times its best (at least three epochs earlier) while training
 *       loss fell since (and, where accuracies are logged, training accuracy over validation accuracy by
 *       more than {@value #RISE_GAP}: a confident model's validation loss also drifts up on a few hard
 *       samples), or training accuracy over validation accuracy by more than
 *       {@value #ACCURACY_GAP}, or an Overfit or Overtraining finding. Where no other symptom is
 *       found, also label mismatch: over at least 3 epochs the training loss fell by over
 *       {@value #LEARNED} of its first value (not to half) while the validation loss fell by under
 *       {@value #TRANSFER} of that (nothing learned carries over; a rate too low lowers both alike);</li>
 *   <li>{@link Symptom#VALIDATION_BETTER_THAN_TRAINING}: validation accuracy over training accuracy by
 *       more than {@value #NOISY_GAP} at the end (wrong labels in the training set; not expected), or
 *       validation loss under 95% of training loss in at least half the epochs and in the last one, the
 *       training loss neither oscillating nor flat (expected with dropout or augmentation).</li>
 * </ul>
 * Every finding of the rules that watched the run is used. LossNotDecreasing adds its symptom where
 * the history alone does not show it; ExplodingTensor adds a NaN or diverging loss (a run stopped at
 * once leaves too short a history to show it). The others name causes, in this order, ahead of the
 * causes guessed from the loss alone: UnnormalizedInputs, PoorWeightInitialization (too large, too
 * small or constant weights), DeadRelu, SaturatedActivation, VanishingGradient, WeightUpdateRatio
 * (no gradient, not updated, or a rate too low or too high). A finding no loss symptom quotes becomes
 * a symptom of its own: {@link Symptom#POOR_INITIALIZATION} or {@link Symptom#LAYER_NOT_LEARNING}.
 * The label-mismatch evidence above is named ahead of a learning rate too low. Overfit and
 * Overtraining findings are not reported as overfitting where the conditions above rule it out (the
 * validation loss still at its best, a diverged or stalled run).
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
    static final double COLLAPSED = 0.5;
    static final double PLATEAU = 0.05;
    static final double LOW_ACCURACY = 0.9;
    static final double VAL_RISE = 0.1;
    static final double ACCURACY_GAP = 0.1;
    static final double RISE_GAP = 0.05;
    static final double LEARNED = 0.005;
    static final double TRANSFER = 0.2;
    static final double NOISY_GAP = 0.15;

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

    /** A likely cause and what to do about it. */
    private record Cause(String cause, String fix) {
    }

    /** One pass over a history. */
    private static final class Analysis {
        private final History h;
        private final Map<String, List<Double>> figures;
        private final List<Finding> findings;
        private final List<Problem> out = new ArrayList<>();
        /** Rules whose findings a problem already quotes. */
        private final Set<String> quoted = new HashSet<>();

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
                    List<Cause> causes = nanCauses(grew);
                    out.add(new Problem(Symptom.LOSS_NAN, String.format("the %s loss is %s at %s %d of %d;"
                                    + " the loss before was %.4g (the first %.4g)%s", unit.startsWith("epoch") ? unit
                                    : "training", loss.get(i), unit.startsWith("epoch") ? "epoch" : "step", i + 1,
                                    loss.size(), lastFinite, first, lr()),
                            causeList(causes), fixList(causes), false));
                    return true;
                }
            }
            return false;
        }

        private List<Cause> nanCauses(boolean grew) {
            List<Cause> causes = new ArrayList<>(divergenceCauses());
            // A loss that jumps from a sane value to NaN points at the data; one that grew first, at the rate.
            Optional<Finding> exploding = use("ExplodingTensor", f -> !f.values().containsKey("loss")
                    || Double.isFinite(f.values().get("loss")));
            if (grew || exploding.isPresent()) {
                causes.add(new Cause("exploding gradients: the learning rate is too high for the model"
                        + exploding.map(f -> " (" + f.message() + ")").orElse(""),
                        "clip gradients (GradientClipping.byNorm(optimizer, 1.0)) and lower the learning rate 10x,"
                                + " or warm it up"));
            }
            causes.add(new Cause("bad data: a NaN or infinite value in the inputs or targets",
                    "check the inputs (DataChecks.classification / regression) and normalise them"));
            causes.add(new Cause("a numerically unsafe step: log or division of zero in a custom loss or layer",
                    "use the fused losses (CrossEntropyLoss from logits) and add an epsilon"));
            if (!grew && exploding.isEmpty()) {
                causes.add(new Cause("a learning rate too high", "lower the learning rate 10x"));
            }
            return causes;
        }

        /** Causes of a diverging run that findings name ahead of the learning rate: the inputs' or the weights' scale. */
        private List<Cause> divergenceCauses() {
            List<Cause> causes = new ArrayList<>();
            use("UnnormalizedInputs").ifPresent(f -> causes.add(inputCause(f)));
            use("PoorWeightInitialization", f -> scale(f) > 1).ifPresent(f -> causes.add(initCause(f)));
            return causes;
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
                oscillating(String.format("%sthe loss changes by %.3g per %s on average in the second half, %.0f%% of"
                                + " its level %.4g; it rose in %d of %d epochs; %s", diverged ? String.format(
                                        "the loss diverged from %.4g to %.4g; ", start, q4) : "", swing, unit,
                        100 * swing / level, level, rises, Math.max(0, epochLoss.size() - 1), shape));
                return;
            }
            boolean steady = lateDrop >= STILL_FALLING * drop && monotone(epochLoss);
            double early = loss.get(0);
            for (int i = 1; i < Math.max(2, n / 10); i++) {
                early = Math.max(early, loss.get(i));
            }
            String tooHigh = early > SPIKE * start ? String.format("the learning rate is too high: the first steps"
                    + " threw the loss from %.4g up to %.4g and the model collapsed (dead ReLUs, saturated outputs)",
                    start, early) : null;
            // After such a spike the first quarter's mean says little: judge the end against the first step.
            boolean collapsed = tooHigh != null && q4 > COLLAPSED * start;
            if (collapsed || improvement < NO_PROGRESS || (improvement < LITTLE && !steady)) {
                notDecreasing(collapsed ? String.format("the loss ended at %.4g, not %.0f%% below its first step's"
                        + " %.4g; %s", q4, 100 * (1 - COLLAPSED), start, shape) : shape, tooHigh);
                return;
            }
            if (improvement < SLOW && steady) {
                List<Cause> causes = new ArrayList<>(learningCauses());
                String mismatch = labelMismatch();
                if (mismatch != null) {
                    causes.add(labelsCause(mismatch));
                }
                causes.add(new Cause("a learning rate on the low side" + quote(use("WeightUpdateRatio",
                        f -> kind(f) == UpdateKind.SMALL)),
                        "raise the learning rate 3-10x (run the LR range test, LrFinder), or switch to Adam"));
                causes.add(new Cause("large batches: few updates per epoch",
                        "use smaller batches for more updates per epoch"));
                causes.add(new Cause("no warm-up, so a safe rate had to be small",
                        "warm the rate up (LinearWarmupSchedule), then use a higher peak; or train longer"));
                out.add(new Problem(Symptom.SLOW_DECREASE, "the loss still falls steadily at the end but has"
                        + " not halved: " + shape, causeList(causes), fixList(causes), false));
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
                List<Cause> causes = new ArrayList<>(learningCauses());
                causes.add(new Cause("a model too small for the task",
                        "a bigger model: wider or deeper layers, a convolutional body for images"));
                causes.add(new Cause("too strong constraints: heavy regularization (L2, dropout, max-norm)",
                        "fewer constraints: less weight decay, lower dropout"));
                causes.add(new Cause("too few epochs at a rate that has decayed", "train longer, or restart the schedule"));
                out.add(new Problem(Symptom.UNDERFITTING, String.format("the loss levelled off at %.4g (late drop"
                                + " %.2f%%)%s%s; %s", q4, 100 * lateDrop / Math.abs(q3),
                                accuracy.isEmpty() ? "" : String.format(", training accuracy %.3f", last(accuracy)),
                                val.isEmpty() ? "" : String.format(", validation loss %.4g", last(val)), shape),
                        causeList(causes), fixList(causes), false));
            }
        }

        private void oscillating(String evidence) {
            List<Cause> causes = new ArrayList<>(divergenceCauses());
            Optional<Finding> exploding = use("ExplodingTensor");
            Optional<Finding> large = use("WeightUpdateRatio", f -> kind(f) == UpdateKind.LARGE);
            causes.add(new Cause("the learning rate is too high: the steps overshoot the minimum"
                    + quote(exploding.or(() -> large)),
                    "reduce the learning rate 10x, or add a schedule (warm-up, then cosine or step decay) or"
                            + " ReduceLrOnPlateau"));
            causes.add(new Cause("a batch size so small that the gradient is mostly noise",
                    "use larger batches, or clip gradients (GradientClipping.byNorm)"));
            out.add(new Problem(Symptom.LOSS_OSCILLATING, evidence, causeList(causes), fixList(causes), false));
        }

        private void notDecreasing(String shape, String tooHigh) {
            List<Cause> causes = new ArrayList<>();
            if (tooHigh != null) {
                causes.add(new Cause(tooHigh, "lower the learning rate 10x and warm it up (LinearWarmupSchedule)"));
            }
            causes.addAll(learningCauses());
            Optional<Finding> small = use("WeightUpdateRatio", f -> kind(f) == UpdateKind.SMALL);
            String mismatch = labelMismatch();
            Cause lowRate = new Cause("the learning rate is too low" + quote(small),
                    "raise the learning rate 10x, or find it with the LR range test (LrFinder)");
            Cause labels = labelsCause(mismatch);
            if (mismatch != null && small.isEmpty()) {
                causes.add(labels);
            }
            if (tooHigh == null && (mismatch == null || small.isPresent())) {
                causes.add(lowRate);
            }
            if (mismatch != null && small.isPresent()) {
                causes.add(labels);
            }
            if (!quoted.contains("VanishingGradient") && !quoted.contains("DeadRelu")) {
                causes.add(new Cause("vanishing gradients (deep sigmoid/tanh stacks, poor initialization)",
                        "ReLU-family activations with Kaiming initialization, normalization layers"));
            }
            causes.add(new Cause("a bug: labels that do not match the inputs, a frozen or detached model, a loss on"
                    + " the wrong outputs", "check that the model can overfit one small batch; check the parameters"
                    + " are trainable and the labels line up with the samples"));
            out.add(new Problem(Symptom.LOSS_NOT_DECREASING, "the loss stays where it started: " + shape,
                    causeList(causes), fixList(causes), false));
        }

        /**
         * What the rules saw that keeps a model from learning, most basic first: the inputs' scale, the
         * initialization, dead ReLUs, saturated units, vanishing gradients, layers not updated.
         */
        private List<Cause> learningCauses() {
            List<Cause> causes = new ArrayList<>();
            use("UnnormalizedInputs").ifPresent(f -> causes.add(inputCause(f)));
            use("PoorWeightInitialization").ifPresent(f -> causes.add(initCause(f)));
            Optional<Finding> dead = use("DeadRelu");
            dead.ifPresent(f -> causes.add(new Cause("dead ReLUs (" + f.message() + ")", "lower the learning rate,"
                    + " start the biases at 0 with Kaiming initialization, or use LeakyReLU")));
            use("SaturatedActivation").ifPresent(f -> causes.add(new Cause("saturated units (" + f.message() + ")",
                    "normalize the inputs, scale the initialization down (Init.xavierUniform), or use ReLU")));
            Optional<Finding> vanishing = use("VanishingGradient");
            if (vanishing.isPresent() && dead.isEmpty()) {
                causes.add(new Cause("vanishing gradients (" + vanishing.get().message() + ")", "ReLU-family"
                        + " activations with Kaiming initialization, batch or layer normalization, residual connections"));
            }
            use("WeightUpdateRatio", f -> kind(f) == UpdateKind.NO_GRADIENT).ifPresent(f -> causes.add(new Cause(
                    "no gradient reaches a layer (" + f.message() + ")", "find what cuts the layer off the loss:"
                    + " dead units after it, a detach(), an output the loss does not use")));
            use("WeightUpdateRatio", f -> kind(f) == UpdateKind.NOT_UPDATED).ifPresent(f -> causes.add(new Cause(
                    "a layer is frozen by mistake (" + f.message() + ")", "build the optimizer from"
                    + " model.parameters(), and check that no parameter group has learning rate 0")));
            return causes;
        }

        private static Cause labelsCause(String mismatch) {
            return new Cause("the labels do not match the inputs: " + mismatch, "check that the labels line up with"
                    + " the samples (the same order and the same filter applied to both), and that the model can"
                    + " overfit one small batch");
        }

        /**
         * Evidence that the labels do not match the inputs, or null: over at least 3 epochs the training loss
         * fell (by over {@value #LEARNED} of it, though not to half) while the validation loss fell by under
         * {@value #TRANSFER} of that (a rate too low lowers both alike).
         */
        private String labelMismatch() {
            List<Double> loss = series("loss");
            List<Double> val = series("val_loss");
            int n = Math.min(loss.size(), val.size());
            if (n < 3) {
                return null;
            }
            double bestLater = Double.POSITIVE_INFINITY;
            for (int i = 1; i < n; i++) {
                bestLater = Math.min(bestLater, val.get(i));
            }
            double trainDrop = loss.get(0) - loss.get(n - 1);
            double valDrop = val.get(0) - bestLater;
            boolean learnedSome = trainDrop > LEARNED * loss.get(0) && loss.get(n - 1) > 0.5 * loss.get(0);
            if (!learnedSome || valDrop >= TRANSFER * trainDrop) {
                return null;
            }
            return String.format("the training loss fell from %.4g to %.4g while the validation loss went from %.4g to"
                    + " at best %.4g: nothing learned carries over to new data", loss.get(0), loss.get(n - 1),
                    val.get(0), bestLater);
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
            List<Double> acc = series("accuracy");
            List<Double> valAcc = series("val_accuracy");
            double gap = acc.isEmpty() || valAcc.isEmpty() ? Double.NaN : last(acc) - last(valAcc);
            String mismatch = labelMismatch();
            if (trainingSane && mismatch != null && out.isEmpty()) {
                out.add(new Problem(Symptom.OVERFITTING, mismatch, List.of("the labels do not match the inputs (the"
                                + " model memorises pairs that carry no rule)",
                                "a validation set from another distribution than the training set"),
                        List.of("check that the labels line up with the samples (the same order, the same filter"
                                + " applied to both)", "split training and validation from the same shuffled data"),
                        false));
                useAll("Overfit", "Overtraining");
                return;
            }
            // The last three epochs' mean: one noisy epoch is no rise.
            double recent = mean(val, Math.max(0, n - 3), n);
            // A confident model's validation loss drifts up on a few hard samples; it overfits when accuracy parts too.
            boolean rose = best < n - 3 && recent > (1 + VAL_RISE) * val.get(best) && lossLast < loss.get(best)
                    && !(gap <= RISE_GAP);
            boolean accuracyGap = gap > ACCURACY_GAP;
            Optional<Finding> rule = finding("Overfit").or(() -> finding("Overtraining"));
            useAll("Overfit", "Overtraining"); // judged here: reported as overfitting, or ruled out below
            if (trainingSane && best < n - 1 && (rose || accuracyGap || rule.isPresent())) {
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
            if (trainingSane && -gap > NOISY_GAP) {
                out.add(new Problem(Symptom.VALIDATION_BETTER_THAN_TRAINING, String.format("training accuracy %.3f is"
                                + " far below validation accuracy %.3f at the end: the model cannot fit its own"
                                + " training labels as well as new data", last(acc), last(valAcc)),
                        List.of("noisy labels: many training samples carry wrong labels that the validation set does"
                                        + " not have", "very heavy dropout or augmentation on training batches"),
                        List.of("clean the training labels (inspect the samples the model gets wrong with high"
                                        + " confidence), or use a noise-robust loss (label smoothing)",
                                "lower the dropout rate or the augmentation strength"),
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

        /** Symptoms the rules reported that the history alone did not show; every finding not yet quoted. */
        private void fromFindings() {
            if (!has(Symptom.LOSS_NOT_DECREASING) && !has(Symptom.LOSS_OSCILLATING)) {
                use("LossNotDecreasing").ifPresent(f -> notDecreasing("LossNotDecreasing at epoch "
                        + (f.epoch() + 1) + ": " + f.message(), null));
            }
            if (!quoted.contains("ExplodingTensor")) {
                finding("ExplodingTensor").ifPresent(f -> {
                    if (f.values().containsKey("loss") && !Double.isFinite(f.values().get("loss"))) {
                        List<Cause> causes = nanCauses(false);
                        out.add(0, new Problem(Symptom.LOSS_NAN, "ExplodingTensor at step " + f.iteration() + ": "
                                + f.message(), causeList(causes), fixList(causes), false));
                    } else {
                        oscillating("ExplodingTensor at step " + f.iteration() + ": " + f.message());
                    }
                });
            }
            Optional<Finding> init = finding("PoorWeightInitialization");
            if (init.isPresent() && !quoted.contains("PoorWeightInitialization")) {
                Cause c = initCause(use("PoorWeightInitialization").get());
                out.add(new Problem(Symptom.POOR_INITIALIZATION, init.get().message(), List.of(c.cause()),
                        List.of(c.fix()), false));
            }
            List<Cause> layers = new ArrayList<>(learningCauses());
            use("WeightUpdateRatio").ifPresent(f -> layers.add(new Cause("steps of the wrong size (" + f.message()
                    + ")", "adjust the learning rate by the factor the ratio is off from 1e-3")));
            if (!layers.isEmpty()) {
                out.add(new Problem(Symptom.LAYER_NOT_LEARNING, "the monitor's rules saw " + layers.size()
                        + " problem(s) inside the model that the loss alone does not show",
                        causeList(layers), fixList(layers), false));
            }
        }

        private Cause inputCause(Finding f) {
            return new Cause("inputs that are not normalized (" + f.message() + ")", "scale the inputs to mean 0 and"
                    + " standard deviation 1 per feature (or to [0, 1]), with statistics from the training set");
        }

        private static Cause initCause(Finding f) {
            double scale = scale(f);
            String fix = "use a fan-in scaled initializer (Init.kaimingNormal before ReLU, Init.xavierUniform before"
                    + " tanh or sigmoid)";
            if (Double.isNaN(scale)) {
                return new Cause("the initialization: constant weights (" + f.message() + ")",
                        "initialize with random values: " + fix);
            }
            return new Cause("the initialization: weights far too " + (scale > 1 ? "large" : "small") + " ("
                    + f.message() + ")" + (scale > 1 ? ", so the outputs and the loss start huge" : ""),
                    fix + "; changing the learning rate will not help");
        }

        /** The scale a PoorWeightInitialization finding measured, or NaN for constant weights. */
        private static double scale(Finding f) {
            return f.values().entrySet().stream().filter(e -> e.getKey().startsWith("scale/"))
                    .mapToDouble(Map.Entry::getValue).findFirst().orElse(Double.NaN);
        }

        private enum UpdateKind { NO_GRADIENT, NOT_UPDATED, SMALL, LARGE }

        /** What a WeightUpdateRatio finding saw, from its figures. */
        private static UpdateKind kind(Finding f) {
            double update = figure(f, "update_norm/");
            double grad = figure(f, "grad_norm/");
            if (grad == 0) {
                return UpdateKind.NO_GRADIENT;
            }
            if (update == 0) {
                return UpdateKind.NOT_UPDATED;
            }
            return figure(f, "update_ratio/") < 1e-3 ? UpdateKind.SMALL : UpdateKind.LARGE;
        }

        private static double figure(Finding f, String prefix) {
            return f.values().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue).findFirst().orElse(Double.NaN);
        }

        private static String quote(Optional<Finding> f) {
            return f.map(x -> " (" + x.rule() + ": " + x.message() + ")").orElse("");
        }

        private static List<String> causeList(List<Cause> causes) {
            return causes.stream().map(Cause::cause).toList();
        }

        private static List<String> fixList(List<Cause> causes) {
            return causes.stream().map(Cause::fix).toList();
        }

        private boolean has(Symptom s) {
            return out.stream().anyMatch(p -> p.symptom() == s);
        }

        private Optional<Finding> finding(String rule) {
            return findings.stream().filter(f -> f.rule().equals(rule)).findFirst();
        }

        /** The rule's first finding not yet quoted, marked as quoted now. */
        private Optional<Finding> use(String rule) {
            return use(rule, f -> true);
        }

        /** The rule's first finding that matches, if its rule is not yet quoted; marks the rule quoted when found. */
        private Optional<Finding> use(String rule, java.util.function.Predicate<Finding> which) {
            if (quoted.contains(rule)) {
                return Optional.empty();
            }
            Optional<Finding> f = findings.stream().filter(x -> x.rule().equals(rule) && which.test(x)).findFirst();
            f.ifPresent(x -> quoted.add(rule));
            return f;
        }

        private void useAll(String... rules) {
            quoted.addAll(List.of(rules));
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
