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
//   GAUNTLET_GATE_DELAY=ENTRY=xF   repeat the operation itself, uncounted, F
//                                  times per counted operation (0 < F <= 1:
//                                  one extra in every 1/F, spread evenly)
//
// Why a repeat: a busy delay beside a contended operation does not slow that
// operation by its own length. The two-thread contended word ran +3.1% under
// a delay sized for +10% (cal8): while one thread spins the other has the
// word's cache line to itself, so the contended operations get cheaper. One
// more contended operation in every ten is a 10% slowdown of the contended
// work itself (what a change that adds one RMW to a hot word does), whatever
// the contention. Only the benchmarks that say so take a repeat (lifecycle
// enter_exit); the others ignore it.
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
    // repeat: F as a 32-bit fixed-point fraction (0: none); an extra
    // operation is due whenever the running sum of it wraps
    std::uint32_t repeat_step = 0;
    explicit operator bool() const { return spins != 0 || repeat_step != 0; }
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
    const std::string value(s.substr(eq + 1));
    if (!value.empty() && value[0] == 'x') {
        const double f = std::strtod(value.c_str() + 1, nullptr);
        if (!(f > 0)) return {};
        delay d;
        d.repeat_step = static_cast<std::uint32_t>(std::llround(std::min(f, 1.0) * 4294967295.0));
        if (d.repeat_step == 0) d.repeat_step = 1;
        return d;
    }
    const double ns = std::strtod(value.c_str(), nullptr);
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

// Called once per counted operation; true when the operation is to be done
// once more, uncounted (`acc`: the caller's running sum, starting at 0).
inline bool repeat_due(const delay& d, std::uint32_t& acc) {
    if (d.repeat_step == 0) return false;
    const std::uint32_t before = acc;
    acc += d.repeat_step;
    return acc < before;  // wrapped: one whole extra operation accumulated
}
#else
inline constexpr bool compiled_in = false;
constexpr delay delay_for(std::string_view) { return {}; }
constexpr void spin(const delay&, std::uint64_t&) {}
constexpr bool repeat_due(const delay&, std::uint32_t&) { return false; }
#endif

}  // namespace gauntlet::gate_delay
