// Backpressure for a loop's cross-thread queue (seed 002: "unbounded
// buffering causes memory growth"): a count of posted tasks not yet run,
// held at or below a high-water mark.
//
//   void set_mark(std::uint32_t m);  before any post: 0 (the default) is no
//                          mark, and then nothing below costs an atomic op;
//   bool try_reserve();    any thread: takes a place, or false when m tasks
//                          are queued (the poster is told; nothing queued);
//   void reserve();        worker threads, never the loop thread (it would
//                          wait for itself): waits, parked, until a place is
//                          free, then takes it;
//   void release();        the loop thread once a reserved task ran, or the
//                          poster whose post was refused after reserving;
//                          wakes the waiters when the queue was at the mark;
//   std::uint32_t peak();  the largest count any reservation made.
//
// A reservation is one CAS from d to d + 1 with d < m (R1, acq_rel: a
// poster that waited sees what the loop did before its release), so the
// count never exceeds m. release() is a fetch_sub (R2, acq_rel); a waiter
// parks only while the count still reads the full value it saw, and R2
// wakes every waiter when it leaves the mark, so a free place is never
// slept through.
#pragma once

#include <atomic>
#include <cstdint>

#include "primitives/world.hpp"

namespace gauntlet {

struct high_water_policy {
    // Mutant switch: read the count, compare, then add (two steps).
    static constexpr bool check_then_add = false;
};

template <world World, class Policy = high_water_policy>
class high_water {
public:
    void set_mark(std::uint32_t m) { mark_ = m; }
    std::uint32_t mark() const { return mark_; }

    bool try_reserve() {
        if (mark_ == 0) return true;
        std::uint32_t d = count_.load(std::memory_order_relaxed);
        for (;;) {
            if (d >= mark_) return false;
            if (take(d)) return true;
        }
    }
    void reserve() {
        if (mark_ == 0) return;
        for (;;) {
            // sweep: relaxed by argument, here and at the park: what they
            // read decides only whether to try R1 or to block; a place is
            // taken only by R1, whose acquire is the reservation's. Weakened
            // from acquire with the loop model and the ThreadSanitizer
            // stress passing.
            std::uint32_t d = count_.load(std::memory_order_relaxed);
            if (d < mark_) {
                if (take(d)) return;
                continue;
            }
            World::park(count_, d, std::memory_order_relaxed);
        }
    }
    void release() {
        if (mark_ == 0) return;
        // sweep: release is the header's promise (R1 reads it: a poster that
        // waited sees what the loop did before this); no check holds a loop
        // to it, since no scenario hands data across a reservation. The
        // count's bound needs no order (one modification order).
        if (count_.fetch_sub(1, std::memory_order_acq_rel) >= mark_) World::unpark_all(count_);  // R2
    }
    std::uint32_t peak() const { return peak_.load(std::memory_order_relaxed); }
    std::uint32_t queued() const { return count_.load(std::memory_order_relaxed); }

private:
    // One attempt to go from d to d + 1; d is updated on failure.
    bool take(std::uint32_t& d) {
        std::uint32_t now;
        if constexpr (Policy::check_then_add) {
            now = count_.fetch_add(1, std::memory_order_acq_rel) + 1;  // d < mark was read before
        } else {
            // sweep: acquire is the header's promise (see R2's note); no
            // scenario hands data across a reservation.
            if (!count_.compare_exchange_weak(d, d + 1, std::memory_order_acq_rel, std::memory_order_relaxed))  // R1
                return false;
            now = d + 1;
        }
        for (std::uint32_t p = peak_.load(std::memory_order_relaxed);
             now > p && !peak_.compare_exchange_weak(p, now, std::memory_order_relaxed);) {
        }
        return true;
    }

    std::uint32_t mark_ = 0;  // set before the loop is shared
    typename World::template atomic<std::uint32_t> count_{0};
    typename World::template atomic<std::uint32_t> peak_{0};
};

}  // namespace gauntlet
