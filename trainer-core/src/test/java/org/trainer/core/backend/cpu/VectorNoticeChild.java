package org.trainer.core.backend.cpu;

import org.trainer.core.Tensor;

/** A child JVM for {@link VectorSupportTest}: a few products on the CPU backend, then exit. */
public final class VectorNoticeChild {
    private VectorNoticeChild() {
    }

    public static void main(String[] args) {
        Tensor a = Tensor.randn(1, 64, 64);
        for (int i = 0; i < 3; i++) {
            a = a.matmul(Tensor.randn(2 + i, 64, 64));
        }
        System.out.println("done " + a.shape()[0]);
    }
}
