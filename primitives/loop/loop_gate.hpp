// The shutdown and keep-alive half every loop shares (basic_loop.hpp, the
// libuv adapter): posts are admitted through the lifecycle state machine
// (primitives/lifecycle/packed_lifecycle.hpp: try_enter / exit; close() is
// drain(), so once any thread has observed DRAINING no post is admitted),
// and the keep-alive count, of which every admitted post holds one
// reference from before its task is queued until the task has run.
#pragma once

#include <atomic>
#include <cstdint>

#include "primitives/lifecycle/packed_lifecycle.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World>
class loop_gate {
public:
    loop_gate() { life_.start(); }

    // Admits one post: takes its task's reference, then queue_it(); false
    // (nothing called, nothing allocated) once the loop is closed.
    template <class F>
    bool admit(F&& queue_it) {
        if (!life_.try_enter()) return false;
        // sweep: taking a reference needs no order of its own: the task is
        // queued after it (a release push), and the loop's unref of it
        // comes after the take that synchronises with that push. relaxed
        // by argument (shared_ptr's increment is relaxed for the same
        // reason); weakened from acq_rel with the loop model and the
        // ThreadSanitizer stress passing.
        refs_.fetch_add(1, std::memory_order_relaxed);
        queue_it();
        life_.exit();
        return true;
    }
    // sweep: relaxed by argument, as in admit(): a new reference carries
    // nothing; what matters is that every unref() comes after it in the
    // count's modification order, which the caller's own order of the two
    // gives. Weakened from acq_rel with the loop model and the
    // ThreadSanitizer stress passing.
    void ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
    // true when this was the last reference (the loop may return now)
    // sweep: a reference count's drop: release, so what a thread did
    // before unref() happens-before the loop's return (whose caller may
    // free what that thread used); acquire for the last drop, when it is
    // the loop's own. No model scenario hands data across a reference
    // (the loop model's posters hold none), so the checks cannot show it.
    bool unref() { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
    // sweep: the acquire half of unref()'s note: the loop returns once
    // this reads 0, and must then see every dropped reference's work.
    bool unreferenced() const { return refs_.load(std::memory_order_acquire) == 0; }
    void close() { life_.drain(); }

private:
    typename World::template atomic<std::uint32_t> refs_{0};
    packed_lifecycle<World> life_;
};

}  // namespace gauntlet
