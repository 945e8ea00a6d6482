// mutex_cv_bounded_queue: bounded MPMC ring under one mutex, with two
// condition variables for the blocking operations.
//
// Contract (queue.mpmc.bounded):
//   - any number of threads push and pop;
//   - linearizable: every operation linearizes inside its critical section;
//   - blocking (not lock-free); try_push / try_pop never wait for space or
//     items (they only take the lock), push / pop wait on `not_full` /
//     `not_empty` until they can proceed;
//   - any capacity >= 1 (no power-of-two requirement; the index wraps with a
//     compare, not a division).
//
// The classic monitor (C. A. R. Hoare, "Monitors: an operating system
// structuring concept", CACM 1974; the bounded buffer of POSIX examples).
// A waiter is notified only when it may be waiting: notify_one after a push
// that made the ring non-empty wakes one popper, and symmetrically.
// Use as the bounded baseline and wherever threads should sleep, not spin,
// on a full or empty queue.
#pragma once

#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World, class T>
class mutex_cv_bounded_queue {
public:
    explicit mutex_cv_bounded_queue(std::size_t capacity) : state_(checked(capacity)) {}
    mutex_cv_bounded_queue(const mutex_cv_bounded_queue&) = delete;
    mutex_cv_bounded_queue& operator=(const mutex_cv_bounded_queue&) = delete;

    std::size_t capacity() const noexcept { return state_->ring.size(); }

    bool try_push(T v) {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        if (state_->size == state_->ring.size()) return false;
        put(v);
        lock.unlock();
        state_->not_empty.notify_one();
        return true;
    }

    bool try_pop(T& out) {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        if (state_->size == 0) return false;
        out = take();
        lock.unlock();
        state_->not_full.notify_one();
        return true;
    }

    // Waits while full.
    void push(T v) {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        state_->not_full.wait(lock, [&] { return state_->size < state_->ring.size(); });
        put(v);
        lock.unlock();
        state_->not_empty.notify_one();
    }

    // Waits while empty.
    T pop() {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        state_->not_empty.wait(lock, [&] { return state_->size > 0; });
        T v = take();
        lock.unlock();
        state_->not_full.notify_one();
        return v;
    }

private:
    static std::size_t checked(std::size_t capacity) {
        if (capacity == 0) throw std::invalid_argument("mutex_cv_bounded_queue: capacity must be >= 1");
        return capacity;
    }

    // Callers hold the mutex.
    void put(T v) {
        std::size_t tail = state_->head + state_->size;
        if (tail >= state_->ring.size()) tail -= state_->ring.size();
        state_->ring[tail] = v;
        ++state_->size;
    }
    T take() {
        T v = state_->ring[state_->head];
        if (++state_->head == state_->ring.size()) state_->head = 0;
        --state_->size;
        return v;
    }

    struct state {
        explicit state(std::size_t capacity) : ring(capacity) {}
        typename World::mutex mutex;
        typename World::condition_variable not_empty;
        typename World::condition_variable not_full;
        std::vector<T> ring;  // guarded by mutex
        std::size_t head = 0;  // guarded by mutex
        std::size_t size = 0;  // guarded by mutex
    };
    cache_padded<state> state_;
};

}  // namespace gauntlet
