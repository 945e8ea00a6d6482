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
#include <memory>
#include <mutex>

#include "primitives/cache_padded.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct mutex_queue_policy {
    // Every access to the guarded state holds the mutex.
    static constexpr bool pop_takes_lock = true;
};

template <world World, class T, class Policy = mutex_queue_policy>
class mutex_deque_queue {
    template <class U>
    using var = typename World::template var<U>;

public:
    explicit mutex_deque_queue(std::size_t capacity_hint = 0) : state_(capacity_hint < 4 ? 4 : capacity_hint) {}
    mutex_deque_queue(const mutex_deque_queue&) = delete;
    mutex_deque_queue& operator=(const mutex_deque_queue&) = delete;

    bool try_push(T v) {
        std::lock_guard<typename World::mutex> lock(state_->mutex);
        state& s = *state_;
        const std::size_t size = s.size.load();
        if (size == s.capacity) grow(s);
        std::size_t tail = s.head.load() + size;
        if (tail >= s.capacity) tail -= s.capacity;
        s.ring[tail].store(v);
        s.size.store(size + 1);
        return true;
    }

    bool try_pop(T& out) {
        std::unique_lock<typename World::mutex> lock(state_->mutex, std::defer_lock);
        if constexpr (Policy::pop_takes_lock) lock.lock();
        state& s = *state_;
        const std::size_t size = s.size.load();
        if (size == 0) return false;
        const std::size_t head = s.head.load();
        out = s.ring[head].load();
        s.head.store(head + 1 == s.capacity ? 0 : head + 1);
        s.size.store(size - 1);
        return true;
    }

private:
    struct state {
        explicit state(std::size_t cap) : capacity(cap), ring(new var<T>[cap]) {}
        typename World::mutex mutex;
        // All guarded by mutex.
        std::size_t capacity;  // written only by grow()
        std::unique_ptr<var<T>[]> ring;
        var<std::size_t> head{0};
        var<std::size_t> size{0};
    };

    // Callers hold the mutex; the ring is full (size == capacity).
    static void grow(state& s) {
        const std::size_t cap = s.capacity, head = s.head.load();
        std::unique_ptr<var<T>[]> bigger(new var<T>[2 * cap]);
        for (std::size_t i = 0; i < cap; ++i) bigger[i].store(s.ring[(head + i) % cap].load());
        s.ring = std::move(bigger);
        s.capacity = 2 * cap;
        s.head.store(0);
    }

    cache_padded<state> state_;
};

}  // namespace gauntlet
