package org.trainer.examples;

import java.nio.file.Path;
import java.util.Map;

import org.trainer.core.Device;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.monitor.Profiler;
import org.trainer.core.nn.Module;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;
import org.trainer.report.RunReport;

/**
 * The training recipe the Fashion-MNIST examples share: normalised images, batches of 64 shuffled
 * from seed 1, SGD with momentum 0.9 at learning rate 0.02, ten times smaller from
 * {@code decayEpoch} on; prints the history and the test accuracy and returns the latter. The run is
 * profiled (the first 20 steps, JIT warm-up, left out) and its report written to NAME.html in
 * {@link Reports#directory()} (examples/target/reports unless told otherwise). The model trains on the device named by the TRAINER_DEVICE environment
 * variable (e.g. "cuda:0", with trainer-cuda on the class path), the CPU by default; the trainer
 * moves the batches there.
 */
final class FashionMnistTraining {
    private FashionMnistTraining() {
    }

    static double run(String name, Module model, FashionMnist data, int epochs, int decayEpoch) {
        Device device = device();
        model.to(device);
        System.out.println(name + " on " + device);
        DataLoader train = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.train())).batchSize(64).shuffle(true)
                .seed(1).prefetch(2).build();
        DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();
        // A tenfold smaller learning rate for the last epochs settles the weights.
        Profiler profiler = new Profiler(20);
        Trainer trainer = new Trainer().metrics(Accuracy::new).progressBar(true).profiler(profiler).recordStepLosses(true)
                .schedule((base, epoch) -> epoch < decayEpoch ? base : base * 0.1);
        long start = System.nanoTime();
        History history = trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.02, 0.9, 0),
                train, test, epochs);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.print(history);
        Map<String, Double> result = trainer.evaluate(model, new CrossEntropyLoss(), test);
        System.out.printf("test accuracy %.4f after %d epochs (%.1f s, %.0f training samples/s)%n",
                result.get("accuracy"), history.epochCount(), seconds,
                history.epochCount() * (double) data.train().size() / seconds);
        System.out.print(profiler.report());
        Path report = RunReport.of(name + " on Fashion-MNIST", history).profile(profiler.report())
                .setting("model", model.toString().replace('\n', ' '))
                .setting("device", device.toString())
                .setting("training", String.format("%d epochs, batches of 64, SGD lr 0.02 momentum 0.9, lr x0.1 from"
                        + " epoch %d", epochs, decayEpoch + 1))
                .setting("test accuracy", String.format("%.4f", result.get("accuracy")))
                .write(Reports.directory().resolve(name + ".html"));
        System.out.println("report: " + report);
        return result.get("accuracy");
    }

    /** TRAINER_DEVICE, or the CPU when it is unset. */
    static Device device() {
        String name = System.getenv("TRAINER_DEVICE");
        return name == null || name.isBlank() ? Device.CPU : Device.parse(name);
    }
}
