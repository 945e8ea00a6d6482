// mutex_deque_queue: unbounded MPMC queue, a growable ring under one mutex.
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
//
// The shared state touched under the lock is world data (a ring of
// World::var cells, head and size as World::var), so that under Relacy a
// missing or misplaced lock is a data race the model reports, not plain
// memory it cannot see. The ring doubles under the lock when full (the
// unbounded contract), copying the cells.
//
// `Policy::pop_takes_lock` exists for the lock-discipline mutant
// (`mutex_deque_queue.unlocked_pop`): a try_pop that skips the lock.
#pragma once

#include <cstddef>
#include <mutex>

#include "primitives/cache_padded.hpp"
#include "primitives/locked_ring.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct mutex_queue_policy {
    // Every access to the guarded state holds the mutex.
    static constexpr bool pop_takes_lock = true;
};

template <world World, class T, class Policy = mutex_queue_policy>
class mutex_deque_queue {
public:
    explicit mutex_deque_queue(std::size_t capacity_hint = 0) : ring_(capacity_hint < 4 ? 4 : capacity_hint) {}
    mutex_deque_queue(const mutex_deque_queue&) = delete;
    mutex_deque_queue& operator=(const mutex_deque_queue&) = delete;

    bool try_push(T v) {
        std::lock_guard<typename World::mutex> lock(ring_->mutex);
        ring_->push_back(v);
        return true;
    }
    bool try_pop(T& out) {
        std::unique_lock<typename World::mutex> lock(ring_->mutex, std::defer_lock);
        if constexpr (Policy::pop_takes_lock) lock.lock();
        return ring_->pop_front(out);
    }

private:
    cache_padded<locked_ring<World, T>> ring_;  // primitives/locked_ring.hpp
};

}  // namespace gauntlet
