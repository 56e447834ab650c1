package org.trainer.core.train;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;

/**
 * Run in its own JVM by {@link StartupTest}: the quick start's model and data up to its first
 * optimizer step (the trainer steps before a batch's callbacks), after which it loads
 * {@link FirstStepDone}, whose line in the JVM's class-load log marks where the first step ended.
 */
public final class StartupChild {
    private StartupChild() {
    }

    /** Loaded only once the first step is done: its place in the class-load log marks that moment. */
    static final class FirstStepDone {
        static void mark() {
        }
    }

    public static void main(String[] args) {
        Seeds.set(42);
        TensorDataset digits = Digits.load();
        Sequential model = new Sequential(new Linear(64, 128), new Activation.ReLU(), new Linear(128, 10));
        DataLoader loader = DataLoader.builder(digits).batchSize(32).shuffle(true).seed(42).build();
        Callback mark = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                if (batch == 0) {
                    FirstStepDone.mark();
                }
            }
        };
        new Trainer().metrics(Accuracy::new).progressBar(true).verbose(false).callbacks(mark)
                .fit(model, new CrossEntropyLoss(), new MomentumSgd(model.parameters(), 0.05, 0.9), loader, null, 1);
    }
}
