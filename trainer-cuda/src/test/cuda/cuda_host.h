// Runs CUDA kernel sources on the host: each block's threads are std::threads meeting at a
// barrier for __syncthreads and for each step of a warp shuffle; blocks run one after another,
// so __shared__ may be static storage.
#pragma once
#include <barrier>
#include <cmath>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>
#include <memory>

struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
inline std::unique_ptr<std::barrier<>> block_barrier;
inline std::vector<double> shfl_buf;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

inline void __syncthreads() { block_barrier->arrive_and_wait(); }
inline double __shfl_down_sync(unsigned, double v, int o) {
    unsigned t = threadIdx.x;
    shfl_buf[t] = v;
    __syncthreads();
    unsigned lane = t & 31;
    double r = lane + o < 32 ? shfl_buf[t + o] : v;
    __syncthreads();
    return r;
}
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline float __fmul_rn(float a, float b) { return a * b; }
using std::signbit;

template <typename F> void launch(unsigned grid, unsigned block, F kernel) {
    gridDim.x = grid;
    blockDim.x = block;
    shfl_buf.assign(block, 0.0);
    for (unsigned b = 0; b < grid; b++) {
        block_barrier = std::make_unique<std::barrier<>>(block);
        std::vector<std::thread> ts;
        for (unsigned t = 0; t < block; t++) {
            ts.emplace_back([=] {
                blockIdx.x = b;
                threadIdx.x = t;
                kernel();
            });
        }
        for (auto& th : ts) th.join();
    }
}
