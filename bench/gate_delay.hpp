// An injected slowdown for the regression gate's calibration
// (scripts/gauntlet gate --calibrate): a calibrated busy delay added to the
// operations of one named catalogue entry in its benchmarks.
//
// Compiled in only by the meson option -Dgate_delay=true (it defines
// GAUNTLET_GATE_DELAY); the option is off by default, and in a normal build
// delay_for() is a constant 0 and spin() does nothing, so the benchmarks
// carry no trace of it. With the option on, the delay is chosen at run time:
//
//   GAUNTLET_GATE_DELAY=ENTRY=NS   add NS nanoseconds (a real number) to each
//                                  operation of entry ENTRY
//
// A delay below 50 ns cannot be spun accurately per operation: it is added as
// one spin of NS x k every k-th operation (k = ceil(50 / NS)), the same mean.
// The spin is calibrated once per process: the nanoseconds one iteration of
// an empty loop takes, the least of 64 timed runs of 2^14 iterations (short
// runs, so that on a shared machine some run is not preempted: a run slowed
// by another process would undersize every delay of the process). The
// benchmark hooks: lifecycle enter_exit (one try_enter/exit pair), queue
// throughput (one push, by the producer), loop ping_pong (one task, run by
// the loop thread).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace gauntlet::gate_delay {

// Spin iterations per delayed operation, and every how many operations.
struct delay {
    std::uint64_t spins = 0;
    std::uint64_t every = 1;
    explicit operator bool() const { return spins != 0; }
};

#ifdef GAUNTLET_GATE_DELAY
inline constexpr bool compiled_in = true;

inline void spin_iterations(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) asm volatile("" ::: "memory");
}

inline double ns_per_iteration() {
    static const double ns = [] {
        constexpr std::uint64_t n = std::uint64_t{1} << 14;
        double best = 1e9;
        for (int k = 0; k < 64; ++k) {
            const auto t0 = std::chrono::steady_clock::now();
            spin_iterations(n);
            const double took = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
            best = std::min(best, took / static_cast<double>(n));
        }
        return best > 0 ? best : 1.0;
    }();
    return ns;
}

// The delay GAUNTLET_GATE_DELAY asks for `entry` (none when it names another).
inline delay delay_for(std::string_view entry) {
    const char* spec = std::getenv("GAUNTLET_GATE_DELAY");
    if (!spec) return {};
    const std::string_view s(spec);
    const std::size_t eq = s.rfind('=');
    if (eq == std::string_view::npos || s.substr(0, eq) != entry) return {};
    const double ns = std::strtod(std::string(s.substr(eq + 1)).c_str(), nullptr);
    if (!(ns > 0)) return {};
    delay d;
    d.every = ns >= 50 ? 1 : static_cast<std::uint64_t>(std::ceil(50 / ns));
    d.spins = static_cast<std::uint64_t>(std::llround(ns * static_cast<double>(d.every) / ns_per_iteration()));
    if (d.spins == 0) d.spins = 1;
    return d;
}

// Called once per operation; `count` is the caller's operation counter
// (operations since the last spin). A compare, not `count % every`: a 64-bit
// division per operation cost more than the delay it paced on a 2 ns
// operation (measured: the spsc ring's smallest delay, one 50 ns spin every
// 1700 pushes, slowed it by 28%).
inline void spin(const delay& d, std::uint64_t& count) {
    if (d.spins != 0 && ++count >= d.every) {
        count = 0;
        spin_iterations(d.spins);
    }
}
#else
inline constexpr bool compiled_in = false;
constexpr delay delay_for(std::string_view) { return {}; }
constexpr void spin(const delay&, std::uint64_t&) {}
#endif

}  // namespace gauntlet::gate_delay
