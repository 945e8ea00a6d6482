// Waiting for a pool's jobs with a deadline: shared by the pool's check
// bodies. A broken pool strands a job and its drain() never returns; the
// bodies do not call it until every job they submitted has run, and report
// "stranded" when no job finished for `quiet` seconds, instead of letting the
// harness kill the entry at its timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <memory>
#include <type_traits>
#include <cstddef>

namespace gauntlet::pool_check {

// true: `done` reached `want`; false: it stayed still for `quiet` seconds.
inline bool wait_for_count(const std::atomic<std::uint64_t>& done, std::uint64_t want, double quiet) {
    using clock = std::chrono::steady_clock;
    std::uint64_t last = done.load(std::memory_order_acquire);
    auto since = clock::now();
    while (last < want) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        const std::uint64_t now = done.load(std::memory_order_acquire);
        if (now != last) {
            last = now;
            since = clock::now();
        } else if (std::chrono::duration<double>(clock::now() - since).count() > quiet) {
            return false;
        }
    }
    return true;
}

}  // namespace gauntlet::pool_check

namespace gauntlet::pool_check {

// A pool of 2 workers; a pool with per-worker deques gets 16-slot deques,
// so that a burst of a few dozen spawns overflows them.
template <class P>
std::unique_ptr<P> make_small_pool() {
    if constexpr (std::is_constructible_v<P, unsigned, std::size_t>)
        return std::make_unique<P>(2u, std::size_t{16});
    else
        return std::make_unique<P>(2u);
}

}  // namespace gauntlet::pool_check
