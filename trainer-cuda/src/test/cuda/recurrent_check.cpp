// recurrent.cu on the host (check-on-host.sh): every gate kernel against the CPU backend's cell math
// in double (DoubleLstmCell, DoubleGruCell, CpuRnn), with and without bias and the dh input, at step
// offsets inside larger buffers and over grids of one thread, whole warps and odd shapes.
#include "cuda_host.h"
#include "recurrent.cu"
#include <cstdio>
#include <random>

// References: the CPU backend's DoubleLstmCell / DoubleGruCell / CpuRnn math in double.
static int failures = 0;
static void check(const char* what, const std::vector<double>& want, const double* got, size_t n, double tol) {
    for (size_t i = 0; i < n; i++) {
        if (!(std::fabs(want[i] - got[i]) <= tol * std::fmax(1.0, std::fabs(want[i])))) {
            if (failures++ < 10) std::printf("FAIL %s element %zu: got %.12g want %.12g\n", what, i, got[i], want[i]);
            return;
        }
    }
}
template <typename T> static void checkT(const char* what, const std::vector<double>& want, const std::vector<T>& got, double tol) {
    std::vector<double> g(got.begin(), got.end());
    check(what, want, g.data(), g.size(), tol);
}
static double sig(double x) { if (x >= 0) return 1 / (1 + std::exp(-x)); double e = std::exp(x); return e / (1 + e); }

template <typename T> static std::vector<T> rnd(std::mt19937_64& g, size_t n) {
    std::uniform_real_distribution<double> u(-1.5, 1.5);
    std::vector<T> v(n);
    for (auto& x : v) x = (T)u(g);
    return v;
}

template <typename T> void run(int n, int H, int grid, int block, double tol) {
    std::mt19937_64 g(n * 100 + H);
    int off = 3;  // offsets into larger buffers, as the host passes a step's position
    int nh = n * H;
    bool f32 = sizeof(T) == 4;
    for (int hasBias = 0; hasBias < 2; hasBias++) {
        // ---- LSTM forward
        auto gates = rnd<T>(g, off * 4 + 4 * nh), xProj = rnd<T>(g, off * 4 + 4 * nh), bias = rnd<T>(g, 4 * H);
        auto cPrev = rnd<T>(g, off + nh), c = std::vector<T>(off + nh), h = std::vector<T>(off + nh);
        auto g0 = gates;
        std::vector<double> wg(gates.begin(), gates.end()), wc(c.begin(), c.end()), wh(h.begin(), h.end());
        for (int r = 0; r < n; r++) for (int j = 0; j < H; j++) {
            int gr = off * 4 + r * 4 * H; double z[4];
            for (int q = 0; q < 4; q++) z[q] = (double)g0[gr + q * H + j] + xProj[gr + q * H + j] + (hasBias ? (double)bias[q * H + j] : 0);
            double i = sig(z[0]), f = sig(z[1]), gg = std::tanh(z[2]), o = sig(z[3]);
            wg[gr + j] = i; wg[gr + H + j] = f; wg[gr + 2 * H + j] = gg; wg[gr + 3 * H + j] = o;
            int k = off + r * H + j;
            wc[k] = f * cPrev[k] + i * gg; wh[k] = o * std::tanh(wc[k]);
        }
        if (f32) launch(grid, block, [&] { lstm_cell_forward_f32(n, H, (float*)gates.data(), off * 4, (float*)xProj.data(), (float*)bias.data(), hasBias, (float*)cPrev.data(), off, (float*)c.data(), (float*)h.data(), off); });
        else launch(grid, block, [&] { lstm_cell_forward_f64(n, H, (double*)gates.data(), off * 4, (double*)xProj.data(), (double*)bias.data(), hasBias, (double*)cPrev.data(), off, (double*)c.data(), (double*)h.data(), off); });
        checkT("lstm gates", wg, gates, tol); checkT("lstm c", wc, c, tol); checkT("lstm h", wh, h, tol);
        // ---- LSTM backward (gates as the forward left them)
        for (int hasDh = 0; hasDh < 2; hasDh++) {
            auto gOut = rnd<T>(g, off + nh), dh = rnd<T>(g, nh), dc = rnd<T>(g, nh), dz = std::vector<T>(off * 4 + 4 * nh);
            std::vector<double> wdz(dz.begin(), dz.end()), wdc(nh);
            for (int r = 0; r < n; r++) for (int j = 0; j < H; j++) {
                int gr = off * 4 + r * 4 * H, k = r * H + j;
                double i = gates[gr + j], f = gates[gr + H + j], gg = gates[gr + 2 * H + j], o = gates[gr + 3 * H + j];
                double t = std::tanh((double)c[off + k]);
                double gh = (double)gOut[off + k] + (hasDh ? (double)dh[k] : 0);
                double gc = (double)dc[k] + gh * o * (1 - t * t);
                wdz[gr + j] = gc * gg * i * (1 - i); wdz[gr + H + j] = gc * cPrev[off + k] * f * (1 - f);
                wdz[gr + 2 * H + j] = gc * i * (1 - gg * gg); wdz[gr + 3 * H + j] = gh * t * o * (1 - o);
                wdc[k] = gc * f;
            }
            if (f32) launch(grid, block, [&] { lstm_cell_backward_f32(n, H, (float*)gates.data(), off * 4, (float*)cPrev.data(), off, (float*)c.data(), (float*)gOut.data(), off, (float*)dh.data(), hasDh, (float*)dc.data(), (float*)dz.data()); });
            else launch(grid, block, [&] { lstm_cell_backward_f64(n, H, (double*)gates.data(), off * 4, (double*)cPrev.data(), off, (double*)c.data(), (double*)gOut.data(), off, (double*)dh.data(), hasDh, (double*)dc.data(), (double*)dz.data()); });
            checkT("lstm dz", wdz, dz, tol * 10); checkT("lstm dc", wdc, dc, tol * 10);
        }
        // ---- GRU forward
        auto gg = rnd<T>(g, off * 3 + 3 * nh), gx = rnd<T>(g, off * 3 + 3 * nh), gbias = rnd<T>(g, 3 * H);
        auto hPrev = rnd<T>(g, off + nh), hn = std::vector<T>(off + nh), hh = std::vector<T>(off + nh);
        auto gg0 = gg;
        std::vector<double> wgg(gg.begin(), gg.end()), whn(hn.begin(), hn.end()), whh(hh.begin(), hh.end());
        for (int r = 0; r < n; r++) for (int j = 0; j < H; j++) {
            int gr = off * 3 + r * 3 * H, k = off + r * H + j;
            double pr = (double)gg0[gr + j] + (hasBias ? (double)gbias[j] : 0);
            double pz = (double)gg0[gr + H + j] + (hasBias ? (double)gbias[H + j] : 0);
            double pn = (double)gg0[gr + 2 * H + j] + (hasBias ? (double)gbias[2 * H + j] : 0);
            double rr = sig(gx[gr + j] + pr), zz = sig(gx[gr + H + j] + pz), nv = std::tanh(gx[gr + 2 * H + j] + rr * pn);
            wgg[gr + j] = rr; wgg[gr + H + j] = zz; wgg[gr + 2 * H + j] = nv; whn[k] = pn; whh[k] = nv + zz * (hPrev[k] - nv);
        }
        if (f32) launch(grid, block, [&] { gru_cell_forward_f32(n, H, (float*)gg.data(), off * 3, (float*)gx.data(), (float*)gbias.data(), hasBias, (float*)hPrev.data(), off, (float*)hn.data(), (float*)hh.data(), off); });
        else launch(grid, block, [&] { gru_cell_forward_f64(n, H, (double*)gg.data(), off * 3, (double*)gx.data(), (double*)gbias.data(), hasBias, (double*)hPrev.data(), off, (double*)hn.data(), (double*)hh.data(), off); });
        checkT("gru gates", wgg, gg, tol); checkT("gru hn", whn, hn, tol); checkT("gru h", whh, hh, tol);
        // ---- GRU backward
        for (int hasDh = 0; hasDh < 2; hasDh++) {
            auto gOut = rnd<T>(g, off + nh), dh = rnd<T>(g, nh), dx = std::vector<T>(off * 3 + 3 * nh), dhp = dx;
            std::vector<double> wdx(dx.begin(), dx.end()), wdhp = wdx, wdh(nh);
            for (int r = 0; r < n; r++) for (int j = 0; j < H; j++) {
                int gr = off * 3 + r * 3 * H, k = r * H + j;
                double rr = gg[gr + j], zz = gg[gr + H + j], nv = gg[gr + 2 * H + j];
                double gh = (double)gOut[off + k] + (hasDh ? (double)dh[k] : 0);
                double dn = gh * (1 - zz) * (1 - nv * nv), dzv = gh * (hPrev[off + k] - nv) * zz * (1 - zz), dr = dn * hn[off + k] * rr * (1 - rr);
                wdx[gr + j] = dr; wdx[gr + H + j] = dzv; wdx[gr + 2 * H + j] = dn;
                wdhp[gr + j] = dr; wdhp[gr + H + j] = dzv; wdhp[gr + 2 * H + j] = dn * rr; wdh[k] = gh * zz;
            }
            if (f32) launch(grid, block, [&] { gru_cell_backward_f32(n, H, (float*)gg.data(), off * 3, (float*)hn.data(), (float*)hPrev.data(), off, (float*)gOut.data(), off, (float*)dh.data(), hasDh, (float*)dx.data(), (float*)dhp.data()); });
            else launch(grid, block, [&] { gru_cell_backward_f64(n, H, (double*)gg.data(), off * 3, (double*)hn.data(), (double*)hPrev.data(), off, (double*)gOut.data(), off, (double*)dh.data(), hasDh, (double*)dx.data(), (double*)dhp.data()); });
            checkT("gru dx", wdx, dx, tol * 10); checkT("gru dhp", wdhp, dhp, tol * 10); checkT("gru dh", wdh, dh, tol * 10);
        }
        // ---- RNN forward and backward
        for (int relu = 0; relu < 2; relu++) {
            auto h = rnd<T>(g, off + nh), xp = rnd<T>(g, off + nh), rb = rnd<T>(g, H);
            std::vector<double> wh(h.begin(), h.end());
            for (int k = 0; k < nh; k++) {
                double z = (double)h[off + k] + xp[off + k] + (hasBias ? (double)rb[k % H] : 0);
                wh[off + k] = relu ? (z > 0 ? z : 0) : std::tanh(z);
            }
            if (f32) launch(grid, block, [&] { rnn_cell_forward_f32(n, H, relu, (float*)h.data(), off, (float*)xp.data(), (float*)rb.data(), hasBias); });
            else launch(grid, block, [&] { rnn_cell_forward_f64(n, H, relu, (double*)h.data(), off, (double*)xp.data(), (double*)rb.data(), hasBias); });
            checkT("rnn h", wh, h, tol);
            auto gOut = rnd<T>(g, off + nh), dh = rnd<T>(g, nh), dz = std::vector<T>(off + nh);
            std::vector<double> wdz(dz.begin(), dz.end());
            for (int k = 0; k < nh; k++) {
                double gh = (double)gOut[off + k] + (hasBias ? (double)dh[k] : 0), y = h[off + k];
                wdz[off + k] = relu ? (y > 0 ? gh : 0) : gh * (1 - y * y);
            }
            if (f32) launch(grid, block, [&] { rnn_cell_backward_f32(nh, relu, (float*)h.data(), off, (float*)gOut.data(), (float*)dh.data(), hasBias, (float*)dz.data()); });
            else launch(grid, block, [&] { rnn_cell_backward_f64(nh, relu, (double*)h.data(), off, (double*)gOut.data(), (double*)dh.data(), hasBias, (double*)dz.data()); });
            checkT("rnn dz", wdz, dz, tol * 10);
        }
    }
    // ---- column sums
    int rows = 2 * n + 1, cols = 3 * H;
    auto x = rnd<T>(g, rows * cols);
    std::vector<T> sums(cols);
    std::vector<double> ws(cols, 0);
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) ws[j] += x[r * cols + j];
    if (f32) launch(grid, block, [&] { column_sums_f32(rows, cols, (float*)x.data(), (float*)sums.data()); });
    else launch(grid, block, [&] { column_sums_f64(rows, cols, (double*)x.data(), (double*)sums.data()); });
    checkT("column sums", ws, sums, tol);
}

int main() {
    int cases = 0;
    for (auto [n, H] : {std::pair{1, 1}, {3, 7}, {2, 37}}) {
        for (auto [grid, block] : {std::pair{1, 1}, {2, 32}, {3, 5}}) {
            run<float>(n, H, grid, block, 2e-6);
            run<double>(n, H, grid, block, 1e-14);
            cases += 2;
        }
    }
    std::printf("%d cases, %d failures\n", cases, failures);
    return failures != 0;
}
