// mutex_heap: the baseline priority queue, a binary max-heap in a growable
// array under one World::mutex. Strict: every operation takes the lock, so it
// is linearizable anywhere inside its critical section. Each item carries the
// push sequence number the lock hands out, and equal priorities compare by
// it, so items of equal priority pop in push order (per producer, and
// globally). Blocking.
//
// The cells and the size are World::var, so under Relacy an access outside
// the lock is a data race the model reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "primitives/cache_padded.hpp"
#include "primitives/pq/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct pq_slot {
    pq_item item;
    std::uint64_t seq = 0;  // tie-break: smaller first among equal priorities
};

// a before b: a pops first.
inline bool pq_before(const pq_slot& a, const pq_slot& b) {
    return a.item.priority != b.item.priority ? a.item.priority > b.item.priority : a.seq < b.seq;
}

// One item in World::var cells (Relacy's var holds numbers: one per field).
template <world World>
class item_cell {
public:
    pq_item load() const { return {priority_.load(), payload_.load()}; }
    void store(const pq_item& v) {
        priority_.store(v.priority);
        payload_.store(v.payload);
    }

private:
    typename World::template var<std::uint32_t> priority_;
    typename World::template var<std::uint64_t> payload_;
};

// One heap slot in World::var cells.
template <world World>
class slot_cell {
public:
    pq_slot load() const { return {item_.load(), seq_.load()}; }
    void store(const pq_slot& s) {
        item_.store(s.item);
        seq_.store(s.seq);
    }

private:
    item_cell<World> item_;
    typename World::template var<std::uint64_t> seq_;
};

// A binary max-heap of pq_slot over World::var cells; the caller holds
// whatever guards it.
template <world World>
class var_heap {
    template <class U>
    using var = typename World::template var<U>;

public:
    explicit var_heap(std::size_t capacity) : capacity_(capacity < 2 ? 2 : capacity), cells_(new slot_cell<World>[capacity_]) {}

    std::size_t size() const { return size_.load(); }

    void push(pq_slot s) {
        std::size_t i = size_.load();
        if (i == capacity_) grow();
        while (i > 0) {
            const std::size_t parent = (i - 1) / 2;
            const pq_slot up = cells_[parent].load();
            if (!pq_before(s, up)) break;
            cells_[i].store(up);
            i = parent;
        }
        cells_[i].store(s);
        size_.store(size_.load() + 1);
    }

    bool top(pq_slot& out) const {
        if (size_.load() == 0) return false;
        out = cells_[0].load();
        return true;
    }

    bool pop(pq_slot& out) {
        const std::size_t n = size_.load();
        if (n == 0) return false;
        out = cells_[0].load();
        const pq_slot last = cells_[n - 1].load();
        const std::size_t m = n - 1;
        std::size_t i = 0;
        for (;;) {
            std::size_t c = 2 * i + 1;
            if (c >= m) break;
            pq_slot cs = cells_[c].load();
            if (c + 1 < m) {
                const pq_slot r = cells_[c + 1].load();
                if (pq_before(r, cs)) {
                    ++c;
                    cs = r;
                }
            }
            if (!pq_before(cs, last)) break;
            cells_[i].store(cs);
            i = c;
        }
        if (m > 0) cells_[i].store(last);
        size_.store(m);
        return true;
    }

private:
    void grow() {
        std::unique_ptr<slot_cell<World>[]> bigger(new slot_cell<World>[2 * capacity_]);
        for (std::size_t i = 0; i < capacity_; ++i) bigger[i].store(cells_[i].load());
        cells_ = std::move(bigger);
        capacity_ *= 2;
    }

    std::size_t capacity_;  // written only by grow()
    std::unique_ptr<slot_cell<World>[]> cells_;
    var<std::size_t> size_{0};
};

template <world World>
class mutex_heap {
public:
    explicit mutex_heap(std::size_t /*producers*/) {}
    mutex_heap(const mutex_heap&) = delete;
    mutex_heap& operator=(const mutex_heap&) = delete;

    void push(std::size_t, pq_item v) {
        std::lock_guard<typename World::mutex> lock(s_->mutex);
        const std::uint64_t seq = s_->next_seq.load();
        s_->next_seq.store(seq + 1);
        s_->heap.push({v, seq});
    }
    void flush(std::size_t) {}
    bool try_pop(pq_item& out) {
        std::lock_guard<typename World::mutex> lock(s_->mutex);
        pq_slot s;
        if (!s_->heap.pop(s)) return false;
        out = s.item;
        return true;
    }

private:
    struct state {
        typename World::mutex mutex;
        var_heap<World> heap{64};
        typename World::template var<std::uint64_t> next_seq{0};
    };
    cache_padded<state> s_;
};

}  // namespace gauntlet
