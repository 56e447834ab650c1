package org.trainer.bench;

import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;

/**
 * The two convolution layers of a LeNet-style network on 28x28 images, batch 64, 5x5 kernels,
 * stride 1, no padding, with bias. {@link Conv2dBenchmark} and {@link PeerHarness} both time
 * {@link Step#run()}, and {@code peer/peers.py} mirrors it in PyTorch, so the three measure the same
 * work.
 */
public enum ConvLayer {
    /** First layer: [64, 1, 28, 28] -> [64, 32, 24, 24]. Its input is data: only w and b need gradients. */
    CONV1(64, 1, 28, 28, 32, 5, false),
    /**
     * Second layer, after 2x2 pooling: [64, 32, 12, 12] -> [64, 64, 8, 8]. Its input is an
     * activation, so it needs a gradient too.
     */
    CONV2(64, 32, 12, 12, 64, 5, true);

    private final int batch;
    private final int inChannels;
    private final int height;
    private final int width;
    private final int outChannels;
    private final int kernel;
    private final boolean inputNeedsGrad;

    ConvLayer(int batch, int inChannels, int height, int width, int outChannels, int kernel, boolean inputNeedsGrad) {
        this.batch = batch;
        this.inChannels = inChannels;
        this.height = height;
        this.width = width;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.inputNeedsGrad = inputNeedsGrad;
    }

    /** The name shared with the peer script, e.g. {@code conv 1x28x28->32 5x5}. */
    public String workload() {
        return "conv " + inChannels + "x" + height + "x" + width + "->" + outChannels + " " + kernel + "x" + kernel;
    }

    /** Fresh seeded tensors for this layer; the same seed gives the same values every run. */
    public Step newStep(long seed) {
        int outH = height - kernel + 1;
        int outW = width - kernel + 1;
        Tensor x = Tensor.randn(seed, batch, inChannels, height, width).requiresGrad(inputNeedsGrad);
        // Scaled as a default initialisation would, so values stay in a realistic range.
        double scale = 1 / Math.sqrt(inChannels * kernel * kernel);
        Tensor w = Tensor.randn(seed + 1, outChannels, inChannels, kernel, kernel).mul(scale).requiresGrad(true);
        Tensor b = Tensor.randn(seed + 2, outChannels).mul(scale).requiresGrad(true);
        Tensor upstream = Tensor.randn(seed + 3, batch, outChannels, outH, outW);
        return new Step(x, w, b, upstream);
    }

    /** One training step of the layer alone, with its tensors. */
    public static final class Step {
        private final Tensor x;
        private final Tensor w;
        private final Tensor b;
        private final Tensor upstream;
        private final MemoryScope.Pool pool = new MemoryScope.Pool();

        Step(Tensor x, Tensor w, Tensor b, Tensor upstream) {
            this.x = x;
            this.w = w;
            this.b = b;
            this.upstream = upstream;
        }

        /**
         * Forward, then backward with a fixed random gradient of the output (what the rest of the
         * network would send back), then zeroes the gradients as an optimizer step would. The step's
         * intermediate tensors are reused from the step before, as in {@link org.trainer.core.train.Trainer};
         * the gradients, held by the tensors, are the step's observable result.
         */
        public void run() {
            try (MemoryScope step = MemoryScope.open(pool)) {
                x.conv2d(w, b, 1, 0, 1).backward(upstream);
            }
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
        }
    }
}
