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
#include <memory>
#include <mutex>

#include "primitives/cache_padded.hpp"
#include "primitives/deque/contract.hpp"
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
    template <class U>
    using var = typename World::template var<U>;

public:
    explicit mutex_deque(std::size_t capacity = 64) : state_(capacity < 2 ? 2 : capacity) {}
    mutex_deque(const mutex_deque&) = delete;
    mutex_deque& operator=(const mutex_deque&) = delete;

    bool push(T v) {
        std::lock_guard<typename World::mutex> lock(state_->mutex);
        state& s = *state_;
        const std::size_t size = s.size.load();
        if (size == s.capacity) grow(s);
        s.ring[(s.head.load() + size) % s.capacity].store(v);
        s.size.store(size + 1);
        return true;
    }

    bool pop(T& out) {
        std::lock_guard<typename World::mutex> lock(state_->mutex);
        state& s = *state_;
        const std::size_t size = s.size.load();
        if (size == 0) return false;
        out = s.ring[(s.head.load() + size - 1) % s.capacity].load();
        s.size.store(size - 1);
        return true;
    }

    steal_status steal(T& out) {
        std::unique_lock<typename World::mutex> lock(state_->mutex, std::defer_lock);
        if constexpr (Policy::steal_takes_lock) lock.lock();
        state& s = *state_;
        const std::size_t size = s.size.load();
        if (size == 0) return steal_status::empty;
        const std::size_t head = s.head.load();
        out = s.ring[head].load();
        s.head.store(head + 1 == s.capacity ? 0 : head + 1);
        s.size.store(size - 1);
        return steal_status::success;
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

    // Callers hold the mutex; the ring is full.
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
