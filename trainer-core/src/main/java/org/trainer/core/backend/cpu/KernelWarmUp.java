package org.trainer.core.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.DType;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ConvGeometry;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.UnaryOp;

/**
 * Gets the CPU kernels compiled by C2 before training needs them. A fresh JVM runs a method in the
 * interpreter, then in C1 code, and only after thousands of calls (or loop iterations) in C2 code;
 * for the Vector API the difference is extreme, because only C2 turns {@code FloatVector} calls into
 * SIMD instructions, and the interpreter and C1 run the API's Java fallback (an array and a lambda
 * per lane operation), some hundred times slower. A training step calls each kernel a few times
 * on large arrays, so left alone the first steps of a large model run mostly in that fallback, and
 * the kernels called once or twice a step reach C2 only after hundreds of steps.
 *
 * <p>When the CPU backend first creates a float32 storage of at least {@value #MIN_STORAGE}
 * elements (a large weight or data set, before the first step), or runs a product of at least
 * {@value #MIN_WORK} multiply-adds or a convolution, a daemon thread ({@value #THREAD_NAME},
 * alone in a fork-join pool of its own, so that every kernel runs on it) runs the kernels of a
 * dense layer's training step (the products, bias, ReLU, softmax cross-entropy), and those of each
 * {@link Family} once training has used one, through the backend's own entry points, on tiny inputs
 * of its own, {@value #ROUNDS} times: enough calls and loop iterations to cross C2's thresholds,
 * then paced while C2 compiles them (see {@link #run(CpuBackend, int, boolean)}), so that it takes
 * little of a core from training. It touches no state but its own arrays and its own thread's
 * buffers, so it cannot change any result; the kernels are pure functions of their arguments.
 * {@code -Dtrainer.warmup=false} turns it off. float32 exp, sigmoid, tanh and GELU have a warm-up
 * thread of their own, started when training first calls one of them ({@link #startFunctionsOnce}).
 *
 * <p>Only what training uses: on two cores HotSpot has one C2 thread, and each Vector API kernel
 * takes it 50-300 ms; warming the convolution kernels for a dense network kept it busy for over a
 * second of an MLP's first epochs while the MLP's own kernels waited in its queue.
 */
final class KernelWarmUp {
    /** The warm-up thread's name. */
    static final String THREAD_NAME = "trainer-kernel-warmup";

    /**
     * Calls of each kernel. C2 compiles a method after about 5,000 calls, or 600 calls when the
     * calls and loop iterations together pass 15,000 (HotSpot's tiered thresholds, raised while the
     * compile queue is long); each call here runs loops of about 24 iterations.
     */
    static final int ROUNDS = 1500;
    /** Rounds run back to back before pacing starts: enough for most kernels to cross C2's thresholds. */
    static final int BURST = 100;
    /** Sleep per round, in multiples of the round's time, after the burst. */
    static final int PACE = 2;
    private static final long MIN_PAUSE_NS = 500_000;
    private static final long MAX_PAUSE_NS = 20_000_000;

    /**
     * The logger, created on first use: slf4j's set-up looks up its provider on the whole class path, and
     * this class is loaded by the first optimizer step ({@link #used}), while only a warm-up logs.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(KernelWarmUp.class);
    }

    /**
     * Multiply-adds of the first product that starts the warm-up. Smaller models (the digits quick
     * start's largest product is [256 x 64] x [64 x 128], 2M) train in a few seconds whatever the
     * compiler does, and the warm-up would only add its heap and compiler memory to theirs.
     */
    static final long MIN_WORK = 1L << 22;

    /**
     * Elements of the first float32 storage that starts the warm-up (1 MiB: a 784 x 512 weight, a
     * data set of 4,096 MNIST images); the quick start's largest, its whole data set, holds 115,008.
     */
    static final int MIN_STORAGE = 1 << 18;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /** The name of the thread that warms {@link VectorFunctions}. */
    static final String FUNCTIONS_THREAD_NAME = "trainer-function-warmup";
    /** Rounds of {@link #warmFunctions} at the least before training uses {@link VectorFunctions}. */
    static final int FUNCTION_ROUNDS = 100;
    /** Rounds of {@link #warmFunctions} at the most: if they are not fast by then, the functions stay scalar. */
    static final int FUNCTION_MAX_ROUNDS = 2000;
    /** Rounds in a row in which {@link #warmFunctions} asks the vector passes to beat the scalar loops. */
    static final int FAST_ROUNDS = 3;
    /** Calls of each function per round, and the elements each call covers. */
    static final int FUNCTION_CALLS = 3;
    static final int FUNCTION_SIZE = 259;
    private static final AtomicBoolean FUNCTIONS_STARTED = new AtomicBoolean();

    /** The families training has used so far in this JVM, one bit per {@link Family#ordinal()}. */
    private static final AtomicInteger USED = new AtomicInteger();

    /** Kernels warmed only once training has called one of them: each model needs some, not all. */
    enum Family {
        /** Convolution forward and backward, max pooling, and the dot-product GEMM kernel they use. */
        CONVOLUTION,
        /** The dot-product GEMM kernel, taken by a product C = A B^T with a long k and a small C. */
        DOT_PRODUCT,
        /** The SGD update. */
        SGD,
        /** The Adam update. */
        ADAM
    }

    private KernelWarmUp() {
    }

    /**
     * Records that training calls a kernel of {@code family}, so that the warm-up thread, running
     * or started later, warms that family too. Cheap enough for every call of a kernel: one read
     * once the family is recorded.
     *
     * @param family the family of the kernel being called
     */
    static void used(Family family) {
        int bit = 1 << family.ordinal();
        if ((USED.get() & bit) == 0) {
            USED.getAndUpdate(u -> u | bit);
        }
    }

    /** Forgets the families recorded so far; for tests. */
    static void forgetUsed() {
        USED.set(0);
    }

    /** Whether training has called a kernel of {@code family} in this JVM. */
    static boolean isUsed(Family family) {
        return (USED.get() & (1 << family.ordinal())) != 0;
    }

    /**
     * Starts the warm-up thread the first time it is called in a JVM where the Vector API is loaded
     * and {@code trainer.warmup} is not {@code false}; otherwise does nothing.
     *
     * @param backend the backend whose kernels to run
     */
    static void startOnce(CpuBackend backend) {
        if (STARTED.get() || disabled() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        startThread(THREAD_NAME, () -> run(backend, ROUNDS, true));
    }

    /**
     * Starts, the first time it is called in a JVM where the Vector API is loaded and {@code
     * trainer.warmup} is not {@code false}, a thread of its own ({@value #FUNCTIONS_THREAD_NAME}) that
     * runs {@link VectorFunctions} until C2 has compiled them and then lets float32 exp, sigmoid,
     * tanh and GELU use them ({@link #warmFunctions}). Separate from the main warm-up because a model
     * may first call these functions after that has ended (a Transformer trained after an MLP).
     */
    static void startFunctionsOnce() {
        if (FUNCTIONS_STARTED.get() || disabled() || !FUNCTIONS_STARTED.compareAndSet(false, true)) {
            return;
        }
        startThread(FUNCTIONS_THREAD_NAME, () -> warmFunctions(FUNCTION_MAX_ROUNDS, true));
    }

    private static boolean disabled() {
        return "false".equals(System.getProperty("trainer.warmup")) || !VectorSupport.present();
    }

    /**
     * Runs {@code work} on a daemon thread named {@code name}, logging instead of throwing: a failed
     * warm-up only leaves the kernels to warm up in training. The thread is the one worker of a pool of
     * its own: Parallel.forRange runs the work of a thread that is inside a fork-join pool on that
     * thread, so the warm-up never queues work in the pool that training's parallel kernels use.
     */
    private static void startThread(String name, Runnable work) {
        ForkJoinPool pool = new ForkJoinPool(1, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName(name);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        }, null, false);
        pool.execute(() -> {
            long start = System.nanoTime();
            try {
                work.run();
                Log.LOG.debug("{}: done in {} ms", name, (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException | Error e) {
                Log.LOG.warn("{} stopped: {}", name, e.toString());
            }
        });
        pool.shutdown();
    }

    /**
     * Runs each of {@link VectorFunctions}' functions and then each of {@link FloatFunctions}'
     * {@value #FUNCTION_CALLS} times on {@value #FUNCTION_SIZE} elements (from -8 to 8: every formula,
     * both signs) per round, paced as {@link #run(Work, int, boolean)} is, until the vector passes
     * take less time than the scalar loops in {@value #FAST_ROUNDS} rounds in a row, after at least
     * {@value #FUNCTION_ROUNDS} rounds: then C2 has compiled every pass, and float32 exp, sigmoid,
     * tanh and GELU move to them. Until then they run {@link FloatFunctions}, which gives the same
     * bits: the vector passes are 8x faster compiled but some hundred times slower before (a first
     * GELU of a million elements took a second), and a number of rounds alone does not tell when C2,
     * busy with other kernels, has got to them.
     *
     * @param maxRounds the rounds after which to give up (the functions stay scalar)
     * @param paced     whether to pace the rounds after the first {@value #BURST}
     * @return whether the functions moved to their vector passes
     */
    static boolean warmFunctions(int maxRounds, boolean paced) {
        float[] x = Work.values(FUNCTION_SIZE);
        for (int i = 0; i < FUNCTION_SIZE; i++) {
            x[i] *= 8;
        }
        float[] y = new float[FUNCTION_SIZE];
        float[] g = new float[FUNCTION_SIZE];
        int fast = 0;
        for (int r = 0; r < maxRounds; r++) {
            long start = System.nanoTime();
            callFunctions(true, x, y, g);
            long vector = System.nanoTime() - start;
            callFunctions(false, x, y, g);
            long took = System.nanoTime() - start;
            fast = vector < took - vector ? fast + 1 : 0;
            if (r + 1 >= FUNCTION_ROUNDS && fast >= FAST_ROUNDS) {
                FloatKernels.functionsCompiled(true);
                Log.LOG.debug("float32 exp, sigmoid, tanh and GELU on vectors after {} rounds", r + 1);
                return true;
            }
            if (paced && r >= BURST && !pause(took)) {
                return false;
            }
        }
        return false;
    }

    /** One round's calls of every function, on {@link VectorFunctions} or on the scalar {@link FloatFunctions}. */
    private static void callFunctions(boolean vector, float[] x, float[] y, float[] g) {
        for (int i = 0; i < FUNCTION_CALLS; i++) {
            for (UnaryOp op : FloatKernels.FUNCTIONS) {
                if (vector) {
                    VectorFunctions.apply(op, x, y, 0, FUNCTION_SIZE);
                } else {
                    FloatKernels.functions(op, x, y, 0, FUNCTION_SIZE);
                }
            }
            if (vector) {
                VectorFunctions.geluBackward(x, y, g, 0, FUNCTION_SIZE);
            } else {
                FloatKernels.geluBackward(x, y, g, 0, FUNCTION_SIZE);
            }
        }
    }

    /** {@link #run(CpuBackend, int, boolean)} for the families training has used so far. */
    static void run(CpuBackend backend, int rounds, boolean paced) {
        run(new Work(backend, KernelWarmUp::isUsed), rounds, paced);
    }

    /**
     * Runs the kernels of the dense layers and of the families that {@code work} warms (asked
     * before each round) {@code rounds} times on the calling thread; when {@code paced}, after the
     * first {@value #BURST} rounds it sleeps {@value #PACE} times as long as each round took.
     * By then the kernels have crossed C2's thresholds and wait in its queue; until their compiled
     * code arrives a round runs the Vector API's fallback, which allocates a few hundred bytes per
     * vector operation, and running it flat out would only grow the heap (and the process's memory)
     * and take a core from training. Calls must go on meanwhile: HotSpot drops a queued compilation
     * of a method that has not run for 50 ms.
     */
    static void run(Work work, int rounds, boolean paced) {
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            work.round();
            if (paced && r >= BURST && !pause(System.nanoTime() - start)) {
                return;
            }
        }
    }

    /** Sleeps {@value #PACE} times a round's time (within bounds); false when interrupted. */
    private static boolean pause(long roundNanos) {
        long pause = Math.min(MAX_PAUSE_NS, Math.max(MIN_PAUSE_NS, PACE * roundNanos));
        try {
            Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The inputs and outputs of one round, allocated once; sizes are small and uneven on purpose. */
    static final class Work {
        /** Rows of the dense products: a whole 6-row tile and an edge. */
        private static final int M = 7;
        /** Inner dimension of the dense products. */
        private static final int K = 24;
        /** Rows of the product that packs B (more rows than SgemmDriver reads in place). */
        private static final int M_PACKED = SgemmDriver.DIRECT_B_MAX_ROWS + 2;
        /** Inner dimension of that product. */
        private static final int K_PACKED = 8;
        /** Depth of each of the dot-product kernel's two segments: whole vectors and a scalar tail. */
        private static final int K_DOT = 2 * 16 + 3;
        private static final int CLASSES = 10;
        /** Rounds that run only the dense products. */
        static final int PRODUCTS_FIRST = 40;

        private final CpuBackend be;
        private final Predicate<Family> warmed;
        /** Rounds run so far. */
        private int done;
        /** Rounds run so far per family, by ordinal. */
        private final int[] familyRounds = new int[Family.values().length];
        private final int n;
        private final Storage a;
        private final Storage b;
        private final Storage c;
        private final Storage big;
        private final Storage bigOut;
        private final float[] dotA;
        private final float[] dotB;
        private final float[] dotC;
        private final Storage bias;
        private final Storage biasGrad;
        private final Storage act;
        private final Storage actGrad;
        private final Storage product;
        private final Storage logits;
        private final Storage logP;
        private final Storage labels;
        private final Storage loss;
        private final Storage lossGrad;
        private final Storage logitsGrad;
        private final Storage[] w;
        private final Storage[] g;
        private final Storage[] m1;
        private final Storage[] m2;
        private final ConvGeometry conv;
        private final ConvGeometry pool;
        private final Storage image;
        private final Storage kernels;
        private final Storage convBias;
        private final Storage convOut;
        private final Storage convOutGrad;
        private final Storage imageGrad;
        private final Storage kernelsGrad;
        private final Storage convBiasGrad;
        private final Storage pooled;
        private final Storage argmax;

        /**
         * @param be     the backend whose kernels to run
         * @param warmed which families to warm, asked before each round
         */
        Work(CpuBackend be, Predicate<Family> warmed) {
            this.be = be;
            this.warmed = warmed;
            // A whole column tile of the vector kernel and an edge.
            n = Sgemm.kernel().nr() + 3;
            a = filled(Math.max(M, K) * Math.max(M, K));
            b = filled(K * n);
            c = be.allocate(DType.FLOAT32, Math.max(M, K) * n);
            big = filled(M_PACKED * K_PACKED);
            bigOut = be.allocate(DType.FLOAT32, M_PACKED * n);
            dotA = values(2 * 5 * K_DOT);
            dotB = values(2 * 6 * K_DOT);
            dotC = new float[5 * 6];
            bias = filled(n);
            biasGrad = be.allocate(DType.FLOAT32, n);
            act = be.allocate(DType.FLOAT32, M * n);
            actGrad = be.allocate(DType.FLOAT32, M * n);
            product = be.allocate(DType.FLOAT32, M * n);
            logits = filled(M * CLASSES);
            logP = be.allocate(DType.FLOAT32, M * CLASSES);
            int[] y = new int[M];
            for (int i = 0; i < M; i++) {
                y[i] = i % CLASSES;
            }
            labels = be.fromArray(y);
            loss = be.allocate(DType.FLOAT32, M);
            lossGrad = filled(M);
            logitsGrad = be.allocate(DType.FLOAT32, M * CLASSES);
            w = new Storage[] {filled(K * n), filled(n)};
            g = new Storage[] {filled(K * n), filled(n)};
            m1 = new Storage[] {be.allocate(DType.FLOAT32, K * n), be.allocate(DType.FLOAT32, n)};
            m2 = new Storage[] {be.allocate(DType.FLOAT32, K * n), be.allocate(DType.FLOAT32, n)};
            // One 3-channel 12x12 image, 4 kernels of 3x3, then 2x2 max pooling of the 10x10 output.
            conv = new ConvGeometry(1, 3, 12, 12, 3, 3, 1, 1, 0, 0, 1, 1);
            pool = new ConvGeometry(1, 4, 10, 10, 2, 2, 2, 2, 0, 0, 1, 1);
            image = filled(3 * 12 * 12);
            kernels = filled(4 * 3 * 3 * 3);
            convBias = filled(4);
            convOut = be.allocate(DType.FLOAT32, 4 * 10 * 10);
            convOutGrad = filled(4 * 10 * 10);
            imageGrad = be.allocate(DType.FLOAT32, 3 * 12 * 12);
            kernelsGrad = be.allocate(DType.FLOAT32, 4 * 3 * 3 * 3);
            convBiasGrad = be.allocate(DType.FLOAT32, 4);
            pooled = be.allocate(DType.FLOAT32, 4 * 5 * 5);
            argmax = be.allocate(DType.INT32, 4 * 5 * 5);
        }

        private Storage filled(int size) {
            return be.fromArray(values(size));
        }

        /** Values in [-1, 1), from a fixed sequence (no shared random state is touched). */
        static float[] values(int size) {
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                v[i] = ((i * 37 + 11) % 64) / 32f - 1f;
            }
            return v;
        }

        /**
         * One call of every warmed kernel; in the first {@value #PRODUCTS_FIRST} rounds of this work
         * only the dense products. The GEMM micro-kernel matters most (the Vector API fallback is slowest there) and
         * HotSpot raises its compile thresholds while C2's queue is long, so it goes in alone first.
         */
        void round() {
            int r = done++;
            boolean accumulate = (r & 1) == 1;
            dense(accumulate, r % 4 == 0);
            boolean conv = warmed.test(Family.CONVOLUTION);
            if (conv || warmed.test(Family.DOT_PRODUCT)) {
                dot(accumulate);
            }
            if (r < PRODUCTS_FIRST) {
                return;
            }
            elementwise();
            if (warmed.test(Family.SGD)) {
                be.sgdSteps(w, g, m1, 1e-3, 0.9, 0, 0, false, next(Family.SGD) == 0);
            }
            if (warmed.test(Family.ADAM)) {
                be.adamSteps(w, g, m1, m2, null, 1e-3, 0.9, 0.999, 1e-8, 0, false, next(Family.ADAM) + 1L);
            }
            if (conv) {
                next(Family.CONVOLUTION);
                convolution();
            }
        }

        /** The rounds of {@code family} run before this one, counting this one as run. */
        private int next(Family family) {
            return familyRounds[family.ordinal()]++;
        }

        /** Rounds that have run the kernels of {@code family}. */
        int rounds(Family family) {
            return familyRounds[family.ordinal()];
        }

        /** A dense layer's three products (forward, input and weight gradients) and B packed. */
        private void dense(boolean accumulate, boolean packedRound) {
            be.matmul(false, true, 1, M, n, K, a, 0, b, 0, c, 0, accumulate);
            be.matmul(false, false, 1, M, n, K, a, 0, b, 0, c, 0, accumulate);
            be.matmul(true, false, 1, K, n, M, a, 0, b, 0, c, 0, accumulate);
            if (packedRound) {
                be.matmul(false, false, 1, M_PACKED, n, K_PACKED, big, 0, b, 0, bigOut, 0, accumulate);
            }
        }

        /** The dot-product kernel, when there is one (the Vector API's). */
        private void dot(boolean accumulate) {
            SgemmDotKernel dot = Sgemm.dotKernel();
            if (dot != null) {
                next(Family.DOT_PRODUCT);
                // C [5, 6] = A B^T over two segments of k, as a convolution's weight gradient sums images.
                dot.run(5, 6, K_DOT, 2, dotA, 0, K_DOT, 5 * K_DOT, dotB, 0, K_DOT, 6 * K_DOT, dotC, 0, 6,
                        accumulate, 0, 5, 0, 6);
            }
        }

        /** Bias, ReLU and softmax cross-entropy, forward and backward. */
        private void elementwise() {
            int[] rows = {M, n};
            be.binary(BinaryOp.ADD, c, rows, bias, new int[] {1, n}, act, rows);
            be.unary(UnaryOp.RELU, 0, act, act);
            be.unaryBackward(UnaryOp.RELU, 0, act, act, c, actGrad);
            be.reduce(ReduceOp.SUM, actGrad, 1, M, n, biasGrad);
            be.binary(BinaryOp.MUL, act, rows, actGrad, rows, product, rows);
            be.softmax(true, logits, M, CLASSES, 1, logP);
            be.nllLoss(logP, labels, M, CLASSES, loss);
            be.crossEntropyBackward(logP, labels, lossGrad, 1.0 / M, M, CLASSES, logitsGrad);
        }

        /** A convolution with bias, its backward, and max pooling with its backward. */
        private void convolution() {
            be.conv2d(image, kernels, convBias, conv, 4, convOut);
            be.conv2dBackward(image, kernels, convOutGrad, conv, 4, imageGrad, kernelsGrad, convBiasGrad);
            be.maxPool2d(convOut, pool, pooled, argmax);
            be.maxPool2dBackward(pooled, argmax, pool, convOut);
        }
    }
}
