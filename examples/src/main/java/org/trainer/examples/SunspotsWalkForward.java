package org.trainer.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trainer.core.Tensor;
import org.trainer.core.data.CsvReader;
import org.trainer.core.data.DataChecks;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.split.Fold;
import org.trainer.core.data.split.Split;
import org.trainer.core.data.split.Splits;
import org.trainer.core.data.split.WalkForward;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;
import org.trainer.optim.Adam;

/**
 * Walk-forward validation on a real series: the yearly sunspot numbers 1700-2008 (NOAA, public
 * domain; {@code README-sunspots.txt} beside the data). A small MLP predicts next year's number
 * from the previous {@value #LAGS} years (about one solar cycle).
 *
 * <p>The last 15% of the years are held out by a chronological split; the years before are
 * scored by walk-forward cross-validation with an expanding window, five folds of 20 years: train
 * on every year before the fold, validate on the fold's 20 years. Each fold standardises with its
 * own training years only, and is compared with the persistence forecast (next year = this year).
 * Then one model trained on all the years before the test part is scored on it.
 */
public final class SunspotsWalkForward {
    static final int LAGS = 12;
    private static final int EPOCHS = 150;

    private SunspotsWalkForward() {
    }

    /** Root-mean-square errors of one fold or of the test part: the model's and persistence's. */
    record Score(String name, double firstYear, double lastYear, int trainYears, double modelRmse,
            double persistenceRmse) {
    }

    public static void main(String[] args) {
        List<Score> scores = run();
        System.out.printf("sunspots: predict year t from years t-%d..t-1, MLP %d-16-1, Adam, %d epochs%n", LAGS, LAGS,
                EPOCHS);
        System.out.printf("%-20s %-11s %12s %12s %16s%n", "part", "years", "train years", "model RMSE",
                "persistence RMSE");
        for (Score s : scores) {
            System.out.printf("%-20s %4.0f-%4.0f %12d %12.2f %16.2f%n", s.name(), s.firstYear(), s.lastYear(),
                    s.trainYears(), s.modelRmse(), s.persistenceRmse());
        }
    }

    /** The five walk-forward folds, then the held-out test part. */
    static List<Score> run() {
        double[][] series = load();
        double[] years = series[0];
        double[] values = series[1];
        // Window w predicts values[w + LAGS] from values[w .. w + LAGS - 1]; its time is the target's year.
        int windows = values.length - LAGS;
        double[] times = new double[windows];
        for (int w = 0; w < windows; w++) {
            times[w] = years[w + LAGS];
        }
        Split split = Splits.chronological(times, 0.85, 0, 0.15);
        int[] development = split.train();
        double[] devTimes = Arrays.stream(development).mapToDouble(w -> times[w]).toArray();

        List<Score> scores = new ArrayList<>();
        List<Fold> folds = WalkForward.expanding(5).withValidationSize(20).split(devTimes);
        for (int f = 0; f < folds.size(); f++) {
            int[] train = map(development, folds.get(f).train());
            int[] validation = map(development, folds.get(f).validation());
            scores.add(score("walk-forward fold " + (f + 1), values, times, train, validation, 10 + f));
        }
        scores.add(score("test (held out)", values, times, development, split.test(), 99));
        return scores;
    }

    private static Score score(String name, double[] values, double[] times, int[] train, int[] heldOut, long seed) {
        // Standardise with the training windows' inputs only: the held-out years must not shape the model.
        double mean = 0;
        double sq = 0;
        int last = train[train.length - 1] + LAGS; // the last training target; its inputs are all earlier
        for (int t = 0; t < last; t++) {
            mean += values[t];
        }
        mean /= last;
        for (int t = 0; t < last; t++) {
            sq += (values[t] - mean) * (values[t] - mean);
        }
        double std = Math.sqrt(sq / last);

        Seeds.set(seed);
        Sequential model = new Sequential(new Linear(LAGS, 16), new Activation.ReLU(), new Linear(16, 1));
        TensorDataset trainSet = DataChecks.regression("sunspots " + name, windows(values, train, mean, std));
        DataLoader loader = DataLoader.builder(trainSet).batchSize(16).shuffle(true).seed(seed).build();
        new Trainer().fit(model, new MseLoss(), new Adam(model.parameters(), 0.005), loader, null, EPOCHS);

        TensorDataset test = windows(values, heldOut, mean, std);
        float[] predicted = Trainer.predict(model, DataLoader.builder(test).batchSize(256).build()).toFloatArray();
        double modelSq = 0;
        double persistenceSq = 0;
        for (int j = 0; j < heldOut.length; j++) {
            double actual = values[heldOut[j] + LAGS];
            double forecast = predicted[j] * std + mean;
            modelSq += (forecast - actual) * (forecast - actual);
            double previous = values[heldOut[j] + LAGS - 1];
            persistenceSq += (previous - actual) * (previous - actual);
        }
        return new Score(name, times[heldOut[0]], times[heldOut[heldOut.length - 1]], train.length,
                Math.sqrt(modelSq / heldOut.length), Math.sqrt(persistenceSq / heldOut.length));
    }

    /** Inputs [n, LAGS] and targets [n, 1] of the given windows, standardised. */
    private static TensorDataset windows(double[] values, int[] which, double mean, double std) {
        float[] x = new float[which.length * LAGS];
        float[] y = new float[which.length];
        for (int j = 0; j < which.length; j++) {
            for (int l = 0; l < LAGS; l++) {
                x[j * LAGS + l] = (float) ((values[which[j] + l] - mean) / std);
            }
            y[j] = (float) ((values[which[j] + LAGS] - mean) / std);
        }
        return new TensorDataset(Tensor.fromArray(x, which.length, LAGS), Tensor.fromArray(y, which.length, 1));
    }

    private static int[] map(int[] outer, int[] inner) {
        return Arrays.stream(inner).map(i -> outer[i]).toArray();
    }

    /** [0]: the years, [1]: the sunspot numbers, in file (time) order. */
    static double[][] load() {
        try (InputStream in = SunspotsWalkForward.class.getResourceAsStream("sunspots.csv")) {
            if (in == null) {
                throw new IOException("resource sunspots.csv missing beside " + SunspotsWalkForward.class.getName());
            }
            TensorDataset raw = CsvReader.regression(1).withHeader(true).read(in, "sunspots.csv");
            return new double[][] {raw.features().toDoubleArray(), raw.targets().toDoubleArray()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
