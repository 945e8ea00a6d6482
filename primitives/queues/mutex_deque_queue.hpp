// mutex_deque_queue: unbounded MPMC queue, a std::deque under one mutex.
//
// Contract (queue.mpmc.unbounded):
//   - any number of threads push and pop;
//   - linearizable: every operation takes the lock, so it linearizes anywhere
//     inside its critical section;
//   - blocking (not lock-free): a thread preempted while holding the lock
//     stops everyone;
//   - try_push succeeds unless allocation throws.
//
// The baseline every lock-free queue has to beat: the critical section is a
// few instructions, so with little contention it is competitive; under
// contention the lock's cache line and the kernel's futex hand-off dominate.
// Use it when simplicity matters more than tail latency.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>

#include "primitives/cache_padded.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World, class T>
class mutex_deque_queue {
public:
    explicit mutex_deque_queue(std::size_t /*capacity hint: unbounded*/ = 0) {}
    mutex_deque_queue(const mutex_deque_queue&) = delete;
    mutex_deque_queue& operator=(const mutex_deque_queue&) = delete;

    bool try_push(T v) {
        std::lock_guard<typename World::mutex> lock(state_->mutex);
        state_->items.push_back(v);
        return true;
    }

    bool try_pop(T& out) {
        std::lock_guard<typename World::mutex> lock(state_->mutex);
        if (state_->items.empty()) return false;
        out = state_->items.front();
        state_->items.pop_front();
        return true;
    }

private:
    struct state {
        typename World::mutex mutex;
        std::deque<T> items;  // guarded by mutex
    };
    cache_padded<state> state_;
};

}  // namespace gauntlet
