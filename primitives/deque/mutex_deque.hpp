// mutex_deque: the baseline work-stealing deque, a growable ring under one
// World::mutex. The owner pushes and pops at the back, thieves steal at the
// front; every operation takes the lock, so each is linearizable anywhere
// inside its critical section. Blocking: a thread preempted while holding the
// lock stops everyone.
//
// Steal answers: success | empty (under the lock a steal cannot lose a race,
// so it never aborts).
//
// The shared state (cells, head, size) is World::var, so under Relacy a
// missing lock is a data race the model reports, not plain memory it cannot
// see. The ring doubles under the lock when full (push always succeeds).
#pragma once

#include <cstddef>
#include <mutex>

#include "primitives/cache_padded.hpp"
#include "primitives/deque/contract.hpp"
#include "primitives/locked_ring.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct mutex_deque_policy {
    // Every access to the guarded state holds the mutex. false: the
    // lock-discipline mutant (mutex_deque.unlocked_steal), a steal that
    // skips the lock.
    static constexpr bool steal_takes_lock = true;
};

template <world World, class T, class Policy = mutex_deque_policy>
class mutex_deque {
public:
    explicit mutex_deque(std::size_t capacity = 64) : ring_(capacity < 2 ? 2 : capacity) {}
    mutex_deque(const mutex_deque&) = delete;
    mutex_deque& operator=(const mutex_deque&) = delete;

    bool push(T v) {
        std::lock_guard<typename World::mutex> lock(ring_->mutex);
        ring_->push_back(v);
        return true;
    }
    bool pop(T& out) {
        std::lock_guard<typename World::mutex> lock(ring_->mutex);
        return ring_->pop_back(out);
    }
    steal_status steal(T& out) {
        std::unique_lock<typename World::mutex> lock(ring_->mutex, std::defer_lock);
        if constexpr (Policy::steal_takes_lock) lock.lock();
        return ring_->pop_front(out) ? steal_status::success : steal_status::empty;
    }

private:
    cache_padded<locked_ring<World, T>> ring_;
};

}  // namespace gauntlet
