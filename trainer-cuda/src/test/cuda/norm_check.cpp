// norm.cu on the host (check-on-host.sh): layer norm's statistics, output and gradients against
// double-precision math, for rows shorter than a warp, of a warp and one, longer than a block, at the
// block size the backend picks (LayerNormLaunch) and at the smallest and largest it may pick.
#include "cuda_host.h"
#include "norm.cu"
#include <cstdio>
#include <random>

static int failures = 0;
static void check(const char* what, int rows, int n, int threads, double want, double got, double tol) {
    if (!(std::fabs(want - got) <= tol * std::fmax(1.0, std::fabs(want)))) {
        if (failures++ < 10) std::printf("FAIL %s rows %d n %d threads %d: got %.9g want %.9g\n", what, rows, n, threads, got, want);
    }
}

template <typename T> void run(int rows, int n, int threads, double tol) {
    std::mt19937_64 g(rows * 1000 + n);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<T> x(rows * n), w(n), b(n), gy(rows * n), y(rows * n), gx(rows * n), gw(n), gb(n), mean(rows), rstd(rows);
    for (auto& v : x) v = (T)(3 + 2 * u(g));
    for (auto& v : w) v = (T)(1 + 0.5 * u(g));
    for (auto& v : b) v = (T)u(g);
    for (auto& v : gy) v = (T)u(g);
    double eps = 1e-5;
    if constexpr (sizeof(T) == 4) {
        launch(rows, threads, [&] { layer_norm_f32(n, eps, x.data(), w.data(), b.data(), y.data(), mean.data(), rstd.data()); });
        launch(rows, threads, [&] { layer_norm_backward_f32(n, x.data(), w.data(), mean.data(), rstd.data(), gy.data(), gx.data()); });
        launch(2, 32, [&] { layer_norm_columns_f32(rows, n, x.data(), mean.data(), rstd.data(), gy.data(), gw.data(), gb.data()); });
    } else {
        launch(rows, threads, [&] { layer_norm_f64(n, eps, x.data(), w.data(), b.data(), y.data(), mean.data(), rstd.data()); });
        launch(rows, threads, [&] { layer_norm_backward_f64(n, x.data(), w.data(), mean.data(), rstd.data(), gy.data(), gx.data()); });
        launch(2, 32, [&] { layer_norm_columns_f64(rows, n, x.data(), mean.data(), rstd.data(), gy.data(), gw.data(), gb.data()); });
    }
    std::vector<double> sw(n, 0), sb(n, 0);
    for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int j = 0; j < n; j++) s += x[r * n + j];
        double mu = s / n, v = 0;
        for (int j = 0; j < n; j++) v += (x[r * n + j] - mu) * (x[r * n + j] - mu);
        double rs = 1 / std::sqrt(v / n + eps);
        check("mean", rows, n, threads, mu, mean[r], tol);
        check("rstd", rows, n, threads, rs, rstd[r], tol);
        double a = 0, c = 0;
        for (int j = 0; j < n; j++) {
            double xh = (x[r * n + j] - mu) * rs;
            check("y", rows, n, threads, xh * w[j] + b[j], y[r * n + j], tol);
            double gh = gy[r * n + j] * (double)w[j];
            a += gh;
            c += gh * xh;
            sw[j] += gy[r * n + j] * xh;
            sb[j] += gy[r * n + j];
        }
        a /= n;
        c /= n;
        for (int j = 0; j < n; j++) {
            double xh = (x[r * n + j] - mu) * rs;
            double gh = gy[r * n + j] * (double)w[j];
            check("gx", rows, n, threads, rs * (gh - a - xh * c), gx[r * n + j], tol * 10);
        }
    }
    for (int j = 0; j < n; j++) {
        check("gWeight", rows, n, threads, sw[j], gw[j], tol * 10);
        check("gBias", rows, n, threads, sb[j], gb[j], tol * 10);
    }
}

int main() {
    int sizes[][2] = {{1, 1}, {3, 7}, {5, 33}, {4, 300}, {2, 1031}, {9, 16}};
    int cases = 0;
    for (auto& s : sizes) {
        int rows = s[0], n = s[1];
        int threads = std::min(256, (n + 31) / 32 * 32);  // LayerNormLaunch.threads
        for (int t : {threads, 32, 256}) {
            run<float>(rows, n, t, 2e-5);
            run<double>(rows, n, t, 1e-12);
            cases += 2;
        }
    }
    std::printf("%d cases, %d failures\n", cases, failures);
    return failures != 0;
}
