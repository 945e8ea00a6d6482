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
        refs_.fetch_add(1, std::memory_order_acq_rel);
        queue_it();
        life_.exit();
        return true;
    }
    void ref() { refs_.fetch_add(1, std::memory_order_acq_rel); }
    // true when this was the last reference (the loop may return now)
    bool unref() { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
    bool unreferenced() const { return refs_.load(std::memory_order_acquire) == 0; }
    void close() { life_.drain(); }

private:
    typename World::template atomic<std::uint32_t> refs_{0};
    packed_lifecycle<World> life_;
};

}  // namespace gauntlet
