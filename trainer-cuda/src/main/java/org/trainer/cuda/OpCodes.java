package org.trainer.cuda;

import org.trainer.core.DType;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.UnaryOp;

/**
 * The integer codes the kernels switch on, written out per op rather than taken from ordinal(),
 * so that a new op in core fails here by name instead of silently running another op's formula.
 */
final class OpCodes {
    private OpCodes() {
    }

    static int unary(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case EXP -> 1;
            case LOG -> 2;
            case SQRT -> 3;
            case ABS -> 4;
            case POW_SCALAR -> 5;
            case RECIPROCAL -> 6;
            case RELU -> 7;
            case LEAKY_RELU -> 8;
            case SIGMOID -> 9;
            case TANH -> 10;
            case GELU -> 11;
            case SOFTPLUS -> 12;
            case CLAMP_MAX -> 13;
            case CLAMP_MIN -> 14;
            case SCALE -> 15;
            case SHIFT -> 16;
        };
    }

    static int binary(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAX -> 5;
            case MIN -> 6;
            case EQ -> 7;
            case NE -> 8;
            case LT -> 9;
            case LE -> 10;
            case GT -> 11;
            case GE -> 12;
        };
    }

    static int reduce(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case MAX -> 1;
            case MIN -> 2;
        };
    }

    /** The kernel name suffix of a dtype: f32, f64 or i32. */
    static String suffix(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
        };
    }
}
