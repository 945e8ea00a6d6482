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
//
// The state touched under the lock is world data (a ring of World::var
// cells, head and size as World::var), so that under Relacy a missing lock
// is a data race the model reports. `Policy::pop_takes_lock`
// (mutex_deque_queue.hpp) exists for the lock-discipline mutant
// `mutex_cv_bounded_queue.unlocked_pop`: a try_pop that skips the lock.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "primitives/cache_padded.hpp"
#include "primitives/queues/mutex_deque_queue.hpp"  // mutex_queue_policy
#include "primitives/world.hpp"

namespace gauntlet {

template <world World, class T, class Policy = mutex_queue_policy>
class mutex_cv_bounded_queue {
    template <class U>
    using var = typename World::template var<U>;

public:
    explicit mutex_cv_bounded_queue(std::size_t capacity) : state_(checked(capacity)) {}
    mutex_cv_bounded_queue(const mutex_cv_bounded_queue&) = delete;
    mutex_cv_bounded_queue& operator=(const mutex_cv_bounded_queue&) = delete;

    std::size_t capacity() const noexcept { return state_->capacity; }

    bool try_push(T v) {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        if (state_->size.load() == state_->capacity) return false;
        put(v);
        lock.unlock();
        state_->not_empty.notify_one();
        return true;
    }

    bool try_pop(T& out) {
        std::unique_lock<typename World::mutex> lock(state_->mutex, std::defer_lock);
        if constexpr (Policy::pop_takes_lock) lock.lock();
        if (state_->size.load() == 0) return false;
        out = take();
        if (lock.owns_lock()) lock.unlock();
        state_->not_full.notify_one();
        return true;
    }

    // Waits while full.
    void push(T v) {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        state_->not_full.wait(lock, [&] { return state_->size.load() < state_->capacity; });
        put(v);
        lock.unlock();
        state_->not_empty.notify_one();
    }

    // Waits while empty.
    T pop() {
        std::unique_lock<typename World::mutex> lock(state_->mutex);
        state_->not_empty.wait(lock, [&] { return state_->size.load() > 0; });
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
        state& s = *state_;
        const std::size_t size = s.size.load();
        std::size_t tail = s.head.load() + size;
        if (tail >= s.capacity) tail -= s.capacity;
        s.ring[tail].store(v);
        s.size.store(size + 1);
    }
    T take() {
        state& s = *state_;
        const std::size_t head = s.head.load();
        T v = s.ring[head].load();
        s.head.store(head + 1 == s.capacity ? 0 : head + 1);
        s.size.store(s.size.load() - 1);
        return v;
    }

    struct state {
        explicit state(std::size_t cap) : capacity(cap), ring(new var<T>[cap]) {}
        typename World::mutex mutex;
        typename World::condition_variable not_empty;
        typename World::condition_variable not_full;
        const std::size_t capacity;
        std::unique_ptr<var<T>[]> ring;  // guarded by mutex
        var<std::size_t> head{0};        // guarded by mutex
        var<std::size_t> size{0};        // guarded by mutex
    };
    cache_padded<state> state_;
};

}  // namespace gauntlet
