// random.cu's dropout_mask_f32 on the host (check-on-host.sh): bit for bit the composed mask, the
// random_f32 fill of [0, 1) compared with p (binary GE) and scaled by 1 / (1 - p) (unary SCALE), and
// about p of the elements dropped.
#include "cuda_host.h"
#include "random.cu"
#include <cstdio>
int main() {
    int failures = 0, zeros = 0, n = 100003;
    for (double p : {0.0, 0.1, 0.5, 1.0 / 3, 0.9}) for (long long seed : {0LL, 12345LL, -7LL}) {
        std::vector<float> u(n), mask(n);
        launch(3, 64, [&] { random_f32(n, 0, 0.0, 1.0, (unsigned long long)seed, u.data()); });
        float pf = (float)p, keep = (float)(1 / (1 - p));
        launch(2, 32, [&] { dropout_mask_f32(n, pf, keep, (unsigned long long)seed, mask.data()); });
        zeros = 0;
        for (int i = 0; i < n; i++) {
            float want = (u[i] >= pf ? 1.0f : 0.0f) * keep;  // binary GE, then unary SCALE
            if (__builtin_memcmp(&want, &mask[i], 4) != 0 && failures++ < 5) std::printf("FAIL p %g seed %lld i %d\n", p, seed, i);
            zeros += mask[i] == 0;
        }
        std::printf("p %.3f seed %lld: zeros %.4f\n", p, seed, zeros / (double)n);
    }
    std::printf("%d failures\n", failures);
    return failures != 0;
}
