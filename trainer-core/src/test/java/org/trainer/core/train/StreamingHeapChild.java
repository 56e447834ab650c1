package org.trainer.core.train;

import java.nio.file.Path;

import org.trainer.core.data.BinaryRecords;
import org.trainer.core.data.StreamingLoader;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;

/**
 * The child JVM of {@link StreamingTrainingTest#anEpochStreamsADatasetSeveralTimesLargerThanTheHeap}:
 * trains one epoch over a file of float32 records (args: file, record count, feature count) and
 * prints what the parent checks.
 */
public final class StreamingHeapChild {
    private StreamingHeapChild() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        long records = Long.parseLong(args[1]);
        int features = Integer.parseInt(args[2]);
        StreamingLoader train = StreamingLoader.builder(BinaryRecords.classes(features, file)).batchSize(256)
                .shuffleBuffer(2048).seed(1).prefetch(2).recordCount(records).build();
        Sequential model = new Sequential(new Linear(features, 16, true, null, 1), new Activation.ReLU(),
                new Linear(16, 10, true, null, 2));
        long[] seen = new long[2];
        Callback counter = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                seen[1]++;
            }

            @Override
            public void onTrainEnd(TrainingContext ctx) {
                seen[0] = ctx.samplesSeen();
            }
        };
        History h = new Trainer().callbacks(counter)
                .fit(model, new CrossEntropyLoss(), TrainerTest.gd(model.parameters(), 0.05), train, null, 1);
        System.out.println("samples=" + seen[0] + " batches=" + seen[1] + " batchesPerEpoch=" + train.batchesPerEpoch()
                + " maxMemory=" + Runtime.getRuntime().maxMemory() + " loss=" + h.last("loss"));
    }
}
