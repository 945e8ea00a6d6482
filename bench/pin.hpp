// Thread pinning for benchmarks and concurrency checks.
//
// `pin_current_thread(cpu)` binds the calling thread to one CPU with
// sched_setaffinity, so that a producer and a consumer really run on
// different cores (on a 2-core machine: producer CPU 0, consumer CPU 1) and
// a benchmark's cache-line traffic crosses cores the same way on every run.
// CPUs are taken modulo the CPUs this process may use (its affinity mask at
// first call), so the same code runs on any machine and in restricted
// containers. Returns false when pinning is refused (the thread then runs
// wherever the scheduler puts it; results stay valid, only noisier).
#pragma once

#include <pthread.h>
#include <sched.h>

#include <vector>

namespace gauntlet {

// The CPUs this process may run on, in ascending order.
inline const std::vector<int>& allowed_cpus() {
    static const std::vector<int> cpus = [] {
        std::vector<int> out;
        cpu_set_t set;
        CPU_ZERO(&set);
        if (sched_getaffinity(0, sizeof set, &set) == 0)
            for (int c = 0; c < CPU_SETSIZE; ++c)
                if (CPU_ISSET(c, &set)) out.push_back(c);
        if (out.empty()) out.push_back(0);
        return out;
    }();
    return cpus;
}

// Pin the calling thread to the `index`-th allowed CPU (modulo their number).
inline bool pin_current_thread(unsigned index) {
    const auto& cpus = allowed_cpus();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[index % cpus.size()], &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace gauntlet
