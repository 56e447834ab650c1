package org.trainer.core.backend;

/**
 * The sizes of a 2-D convolution or pooling window over an input [n, c, h, w]: kernel kh x kw,
 * stride, zero padding and dilation per spatial axis. Output sizes follow PyTorch's formula
 * floor((h + 2*pad - dil*(k-1) - 1) / stride) + 1.
 */
public record ConvGeometry(int n, int c, int h, int w, int kh, int kw,
                           int strideH, int strideW, int padH, int padW, int dilH, int dilW) {

    /**
     * The output height floor((h + 2 padH - dilH (kh - 1) - 1) / strideH) + 1.
     *
     * @return OH
     */
    public int outH() {
        return (h + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
    }

    /**
     * The output width floor((w + 2 padW - dilW (kw - 1) - 1) / strideW) + 1.
     *
     * @return OW
     */
    public int outW() {
        return (w + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
    }
}
