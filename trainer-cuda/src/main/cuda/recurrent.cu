// The pointwise halves of the fused recurrences (org.trainer.core.backend.Fused.Lstm, .Gru, .Rnn),
// one launch per time step each way, as PyTorch's _thnn_fused_lstm_cell / _thnn_fused_gru_cell:
// the host keeps the time loop and runs the recurrent products with cuBLAS; these kernels apply
// the gates. The formulas are those of the CPU backend's cells (PortableLstmCell, PortableGruCell,
// PortableRnnCell, and their float64 forms); float32 evaluates sigmoid and tanh in double and
// rounds once, as the CPU's portable cells do.
//
// Every kernel runs one thread per (row r, column j) of an [n, hidden] state and touches only the
// elements of that (r, j): column j of each gate block of row r, and element (r, j) of the states.
// No two threads write one element, and no thread reads what another writes, so there is no race.
// Offsets are in elements from each storage's base (the host passes the step's position).
#include "common.cuh"

template <typename T> __device__ __forceinline__ T sigmoid_of(T z) {
    // Split on the sign, as UnaryOp.SIGMOID, so that exp never overflows.
    double x = (double)z;
    if (x >= 0) return (T)(1.0 / (1.0 + exp(-x)));
    double e = exp(x);
    return (T)(e / (1.0 + e));
}

template <typename T> __device__ __forceinline__ T tanh_of(T z) { return (T)tanh((double)z); }

// ---------------------------------------------------------------- LSTM

// gates [n, 4H] holds h' W_hh^T on entry (i, f, g, o blocks) and the activated gates on exit;
// xProj [n, 4H]; bias [4H] unless hasBias is 0; cPrev, c, h [n, H].
template <typename T>
__device__ __forceinline__ void lstm_forward_k(int n, int hidden, T* gates, const T* xProj, const T* bias,
                                               int hasBias, const T* cPrev, T* c, T* h) {
    long long total = (long long)n * hidden;
    GRID_STRIDE(k, total) {
        long long r = k / hidden;
        int j = (int)(k % hidden);
        long long gr = r * 4 * hidden;
        T zi = gates[gr + j] + xProj[gr + j] + (hasBias ? bias[j] : T(0));
        T zf = gates[gr + hidden + j] + xProj[gr + hidden + j] + (hasBias ? bias[hidden + j] : T(0));
        T zg = gates[gr + 2 * hidden + j] + xProj[gr + 2 * hidden + j] + (hasBias ? bias[2 * hidden + j] : T(0));
        T zo = gates[gr + 3 * hidden + j] + xProj[gr + 3 * hidden + j] + (hasBias ? bias[3 * hidden + j] : T(0));
        T i = sigmoid_of(zi);
        T f = sigmoid_of(zf);
        T g = tanh_of(zg);
        T o = sigmoid_of(zo);
        gates[gr + j] = i;
        gates[gr + hidden + j] = f;
        gates[gr + 2 * hidden + j] = g;
        gates[gr + 3 * hidden + j] = o;
        T cv = f * cPrev[k] + i * g;
        c[k] = cv;
        h[k] = o * tanh_of(cv);
    }
}

// From the step's gates, c' and c, the gradient gOut of its h and dh (the gradient of its h through
// the next processed step, unless hasDh is 0), and dc (that of its c) on entry: writes dz [n, 4H],
// the gradient of the step's pre-activations, and dc, the gradient of c'.
template <typename T>
__device__ __forceinline__ void lstm_backward_k(int n, int hidden, const T* gates, const T* cPrev, const T* c,
                                                const T* gOut, const T* dh, int hasDh, T* dc, T* dz) {
    long long total = (long long)n * hidden;
    GRID_STRIDE(k, total) {
        long long r = k / hidden;
        int j = (int)(k % hidden);
        long long gr = r * 4 * hidden;
        T i = gates[gr + j];
        T f = gates[gr + hidden + j];
        T g = gates[gr + 2 * hidden + j];
        T o = gates[gr + 3 * hidden + j];
        T t = tanh_of(c[k]);
        T gh = gOut[k] + (hasDh ? dh[k] : T(0));
        T gc = dc[k] + gh * o * (T(1) - t * t);
        dz[gr + j] = gc * g * i * (T(1) - i);
        dz[gr + hidden + j] = gc * cPrev[k] * f * (T(1) - f);
        dz[gr + 2 * hidden + j] = gc * i * (T(1) - g * g);
        dz[gr + 3 * hidden + j] = gh * t * o * (T(1) - o);
        dc[k] = gc * f;
    }
}

#define LSTM(N, T)                                                                                                 \
    extern "C" __global__ void lstm_cell_forward_##N(int n, int hidden, T* gates, int gOff, const T* xProj,        \
                                                     const T* bias, int hasBias, const T* cPrev, int cpOff, T* c,  \
                                                     T* h, int hOff) {                                             \
        lstm_forward_k<T>(n, hidden, gates + gOff, xProj + gOff, bias, hasBias, cPrev + cpOff, c + hOff, h + hOff); \
    }                                                                                                              \
    extern "C" __global__ void lstm_cell_backward_##N(int n, int hidden, const T* gates, int gOff, const T* cPrev, \
                                                      int cpOff, const T* c, const T* gOut, int hOff, const T* dh, \
                                                      int hasDh, T* dc, T* dz) {                                   \
        lstm_backward_k<T>(n, hidden, gates + gOff, cPrev + cpOff, c + hOff, gOut + hOff, dh, hasDh, dc,           \
                           dz + gOff);                                                                             \
    }
LSTM(f32, float)
LSTM(f64, double)

// ---------------------------------------------------------------- GRU

// gates [n, 3H] holds p = h' W_hh^T on entry (r, z, n blocks, no bias) and r, z, n on exit; hn [n, H]
// gets p_n + b_n, which the reset gate scaled; hPrev and h [n, H].
template <typename T>
__device__ __forceinline__ void gru_forward_k(int n, int hidden, T* gates, const T* xProj, const T* bias, int hasBias,
                                              const T* hPrev, T* hn, T* h) {
    long long total = (long long)n * hidden;
    GRID_STRIDE(k, total) {
        long long r = k / hidden;
        int j = (int)(k % hidden);
        long long gr = r * 3 * hidden;
        T pr = gates[gr + j] + (hasBias ? bias[j] : T(0));
        T pz = gates[gr + hidden + j] + (hasBias ? bias[hidden + j] : T(0));
        T pn = gates[gr + 2 * hidden + j] + (hasBias ? bias[2 * hidden + j] : T(0));
        T rv = sigmoid_of(xProj[gr + j] + pr);
        T zv = sigmoid_of(xProj[gr + hidden + j] + pz);
        T nv = tanh_of(xProj[gr + 2 * hidden + j] + rv * pn);
        gates[gr + j] = rv;
        gates[gr + hidden + j] = zv;
        gates[gr + 2 * hidden + j] = nv;
        hn[k] = pn;
        h[k] = nv + zv * (hPrev[k] - nv);
    }
}

// Writes dx [n, 3H] (the gradient of the step's xProj), dhp [n, 3H] (that of p, whose n block is
// r times dx's) and dh = gh z, the direct part of the gradient of h' (the host adds dhp W_hh).
template <typename T>
__device__ __forceinline__ void gru_backward_k(int n, int hidden, const T* gates, const T* hn, const T* hPrev,
                                               const T* gOut, T* dh, int hasDh, T* dx, T* dhp) {
    long long total = (long long)n * hidden;
    GRID_STRIDE(k, total) {
        long long row = k / hidden;
        int j = (int)(k % hidden);
        long long gr = row * 3 * hidden;
        T rv = gates[gr + j];
        T zv = gates[gr + hidden + j];
        T nv = gates[gr + 2 * hidden + j];
        T gh = gOut[k] + (hasDh ? dh[k] : T(0));
        T dn = gh * (T(1) - zv) * (T(1) - nv * nv);
        T dzv = gh * (hPrev[k] - nv) * zv * (T(1) - zv);
        T dr = dn * hn[k] * rv * (T(1) - rv);
        dx[gr + j] = dr;
        dx[gr + hidden + j] = dzv;
        dx[gr + 2 * hidden + j] = dn;
        dhp[gr + j] = dr;
        dhp[gr + hidden + j] = dzv;
        dhp[gr + 2 * hidden + j] = dn * rv;
        dh[k] = gh * zv;
    }
}

#define GRU(N, T)                                                                                                  \
    extern "C" __global__ void gru_cell_forward_##N(int n, int hidden, T* gates, int gOff, const T* xProj,         \
                                                    const T* bias, int hasBias, const T* hPrev, int hpOff, T* hn,  \
                                                    T* h, int hOff) {                                              \
        gru_forward_k<T>(n, hidden, gates + gOff, xProj + gOff, bias, hasBias, hPrev + hpOff, hn + hOff, h + hOff); \
    }                                                                                                              \
    extern "C" __global__ void gru_cell_backward_##N(int n, int hidden, const T* gates, int gOff, const T* hn,     \
                                                     const T* hPrev, int hpOff, const T* gOut, int hOff, T* dh,    \
                                                     int hasDh, T* dx, T* dhp) {                                   \
        gru_backward_k<T>(n, hidden, gates + gOff, hn + hOff, hPrev + hpOff, gOut + hOff, dh, hasDh, dx + gOff,    \
                          dhp + gOff);                                                                             \
    }
GRU(f32, float)
GRU(f64, double)

// ---------------------------------------------------------------- Elman RNN

// h [n, H] holds h' W_hh^T on entry and act(xProj + h' W_hh^T + b) on exit.
template <typename T>
__device__ __forceinline__ void rnn_forward_k(int n, int hidden, int relu, T* h, const T* xProj, const T* bias,
                                              int hasBias) {
    long long total = (long long)n * hidden;
    GRID_STRIDE(k, total) {
        int j = (int)(k % hidden);
        T z = h[k] + xProj[k] + (hasBias ? bias[j] : T(0));
        h[k] = relu ? (z > T(0) ? z : T(0)) : tanh_of(z);
    }
}

// dz = the gradient of the pre-activation, from h = act(z): act' is a function of h.
template <typename T>
__device__ __forceinline__ void rnn_backward_k(int size, int relu, const T* h, const T* gOut, const T* dh, int hasDh,
                                               T* dz) {
    GRID_STRIDE(k, size) {
        T gh = gOut[k] + (hasDh ? dh[k] : T(0));
        T y = h[k];
        dz[k] = relu ? (y > T(0) ? gh : T(0)) : gh * (T(1) - y * y);
    }
}

#define RNN(N, T)                                                                                                  \
    extern "C" __global__ void rnn_cell_forward_##N(int n, int hidden, int relu, T* h, int hOff, const T* xProj,   \
                                                    const T* bias, int hasBias) {                                  \
        rnn_forward_k<T>(n, hidden, relu, h + hOff, xProj + hOff, bias, hasBias);                                  \
    }                                                                                                              \
    extern "C" __global__ void rnn_cell_backward_##N(int size, int relu, const T* h, int hOff, const T* gOut,      \
                                                     const T* dh, int hasDh, T* dz) {                              \
        rnn_backward_k<T>(size, relu, h + hOff, gOut + hOff, dh, hasDh, dz + hOff);                                \
    }
RNN(f32, float)
RNN(f64, double)

// ---------------------------------------------------------------- bias gradients

// sums[j] = sum over r of x[r, j] for x [rows, cols], in double over the rows in order: one thread
// per column (neighbouring threads read neighbouring elements), so the result is the same whatever
// the grid.
template <typename T> __device__ __forceinline__ void column_sums_k(int rows, int cols, const T* x, T* sums) {
    GRID_STRIDE(j, cols) {
        double s = 0;
        for (int r = 0; r < rows; r++) s += (double)x[(long long)r * cols + j];
        sums[j] = (T)s;
    }
}

extern "C" __global__ void column_sums_f32(int rows, int cols, const float* x, float* sums) {
    column_sums_k<float>(rows, cols, x, sums);
}
extern "C" __global__ void column_sums_f64(int rows, int cols, const double* x, double* sums) {
    column_sums_k<double>(rows, cols, x, sums);
}
