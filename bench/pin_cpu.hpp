// Pin the calling thread to one CPU, so that benchmarks compare like with
// like: the same cores, no migration in the middle of a measurement.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <thread>

namespace gauntlet {

// Pins to CPU `index % hardware_concurrency`; returns false if refused.
inline bool pin_to_cpu(unsigned index) {
    const unsigned n = std::max(1u, std::thread::hardware_concurrency());
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(index % n, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace gauntlet
