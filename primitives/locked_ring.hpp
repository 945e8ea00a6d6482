// A growable ring of world data for locked containers: the state of
// mutex_deque_queue (queues/) and mutex_deque (deque/), which differ only in
// the ends they take from and in their lock-discipline mutants.
//
// The mutex is a member; every other member is guarded by it, and every
// operation below expects the caller to hold it (the mutants are callers
// that do not). The cells, head and size are World::var, so under Relacy a
// missing lock is a data race the model reports, not plain memory it cannot
// see. A push on a full ring doubles it, copying the cells.
#pragma once

#include <cstddef>
#include <memory>

#include "primitives/world.hpp"

namespace gauntlet {

template <world World, class T>
class locked_ring {
    template <class U>
    using var = typename World::template var<U>;

public:
    explicit locked_ring(std::size_t capacity) : capacity_(capacity), ring_(new var<T>[capacity]) {}

    typename World::mutex mutex;

    void push_back(T v) {
        const std::size_t size = size_.load();
        if (size == capacity_) grow();
        std::size_t tail = head_.load() + size;
        if (tail >= capacity_) tail -= capacity_;
        ring_[tail].store(v);
        size_.store(size + 1);
    }
    bool pop_back(T& out) {
        const std::size_t size = size_.load();
        if (size == 0) return false;
        std::size_t last = head_.load() + size - 1;
        if (last >= capacity_) last -= capacity_;
        out = ring_[last].load();
        size_.store(size - 1);
        return true;
    }
    bool pop_front(T& out) {
        const std::size_t size = size_.load();
        if (size == 0) return false;
        const std::size_t head = head_.load();
        out = ring_[head].load();
        head_.store(head + 1 == capacity_ ? 0 : head + 1);
        size_.store(size - 1);
        return true;
    }

private:
    // The ring is full (size == capacity).
    void grow() {
        const std::size_t cap = capacity_, head = head_.load();
        std::unique_ptr<var<T>[]> bigger(new var<T>[2 * cap]);
        for (std::size_t i = 0; i < cap; ++i) bigger[i].store(ring_[(head + i) % cap].load());
        ring_ = std::move(bigger);
        capacity_ = 2 * cap;
        head_.store(0);
    }

    std::size_t capacity_;  // written only by grow()
    std::unique_ptr<var<T>[]> ring_;
    var<std::size_t> head_{0};
    var<std::size_t> size_{0};
};

}  // namespace gauntlet
