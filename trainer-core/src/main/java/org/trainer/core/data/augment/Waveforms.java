package org.trainer.core.data.augment;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** The audio layout the waveform transforms share: floating [L] or [channels, L], time last. */
final class Waveforms {
    private Waveforms() {
    }

    /** {channels, L} of a waveform [L] or [C, L]. */
    static int[] dims(String op, Tensor wave) {
        if (wave == null || !wave.dtype().isFloating() || (wave.rank() != 1 && wave.rank() != 2)) {
            throw new IllegalArgumentException(op + ": a sample must be a floating waveform [L] or [channels, L], got "
                    + (wave == null ? "null" : wave.dtype() + " of shape " + Shapes.str(wave.shape())));
        }
        return wave.rank() == 1 ? new int[] {1, wave.size(0)} : new int[] {wave.size(0), wave.size(1)};
    }

    static int[] shape(Tensor wave, int channels, int length) {
        return wave.rank() == 1 ? new int[] {length} : new int[] {channels, length};
    }
}
