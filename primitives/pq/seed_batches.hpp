// seed_batches: seed 000's priority queue as the seed describes it: "workers
// push tasks with priority and do the heavy ordering work; the main thread
// pops the highest priority". Each producer collects its pushes in a buffer
// of its own; when the buffer holds `Batch` items (or the producer flushes)
// the producer sorts it (highest priority first, stable: equal priorities
// keep push order) and publishes it as a run, a heap node pushed onto one
// lock-free stack (CAS on its top, release on success). The consumer merges
// the heads: try_pop collects the published runs (one exchange of the stack's
// top with null, acquire; the runs are kept in publication order) and takes
// the head of the run whose head has the highest priority (the oldest such
// run on a tie, so one producer's equal priorities pop in push order).
//
// What it promises. A pop is strict over the runs published before its
// collect; a run published mid-merge (after the collect) is linearized after
// that pop and merged by the next. An item still in its producer's buffer is
// in no run: the consumer cannot see it, so a pop returns a lower priority,
// or reports empty, while a pushed item of higher priority waits for its
// batch to fill or its producer to flush. The seed declares the consumer pops
// the highest priority; that is the promise this entry is held to (strict),
// and the buffer is the finding. run_merge is the same design with a batch
// of one and a heap merge.
//
// Lock-free producers and consumer; a run's cells and count are World::var.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/pq/contract.hpp"
#include "primitives/pq/mutex_heap.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct seed_batches_policy {
    // Relaxed: the mutant seed_batches.relaxed_publish (the run's cells are
    // read by the consumer without a happens-before edge from the sort).
    static constexpr std::memory_order publish = std::memory_order_release;
};

template <world World, std::size_t Batch = 8, class Policy = seed_batches_policy>
class seed_batches {
    struct run {
        item_cell<World> cells[Batch];
        typename World::template var<std::size_t> count;
        typename World::template var<run*> next;
    };
    struct cursor {
        run* r;
        std::size_t pos, count;
    };

public:
    explicit seed_batches(std::size_t producers) : buffers_(producers) {}
    seed_batches(const seed_batches&) = delete;
    seed_batches& operator=(const seed_batches&) = delete;
    ~seed_batches() {
        run* r = top_->exchange(nullptr, std::memory_order_acquire);
        while (r) {
            run* next = r->next.load();
            World::destroy(r);
            r = next;
        }
        for (auto& c : runs_) World::destroy(c.r);
    }

    void push(std::size_t p, pq_item v) {
        auto& b = buffers_[p]->items;
        b.push_back(v);
        if (b.size() == Batch) publish(p);
    }
    void flush(std::size_t p) {
        if (!buffers_[p]->items.empty()) publish(p);
    }

    bool try_pop(pq_item& out) {
        collect();
        std::size_t best = runs_.size();
        std::uint32_t best_priority = 0;
        for (std::size_t i = 0; i < runs_.size(); ++i) {
            const std::uint32_t pr = runs_[i].r->cells[runs_[i].pos].load().priority;
            if (best == runs_.size() || pr > best_priority) {
                best = i;
                best_priority = pr;
            }
        }
        if (best == runs_.size()) return false;
        cursor& c = runs_[best];
        out = c.r->cells[c.pos].load();
        if (++c.pos == c.count) {
            World::destroy(c.r);
            runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(best));
        }
        return true;
    }

private:
    void publish(std::size_t p) {
        auto& b = buffers_[p]->items;
        std::stable_sort(b.begin(), b.end(),
                         [](const pq_item& x, const pq_item& y) { return x.priority > y.priority; });
        run* r = World::template make<run>();
        for (std::size_t i = 0; i < b.size(); ++i) r->cells[i].store(b[i]);
        r->count.store(b.size());
        b.clear();
        run* head = top_->load(std::memory_order_relaxed);
        do {
            r->next.store(head);
        } while (!top_->compare_exchange_weak(head, r, Policy::publish, std::memory_order_relaxed));
    }

    void collect() {
        run* r = top_->exchange(nullptr, std::memory_order_acquire);
        const std::size_t at = runs_.size();
        while (r) {
            runs_.push_back({r, 0, r->count.load()});
            r = r->next.load();
        }
        std::reverse(runs_.begin() + static_cast<std::ptrdiff_t>(at), runs_.end());  // publication order
    }

    struct buffer {
        std::vector<pq_item> items;
    };
    std::vector<cache_padded<buffer>> buffers_;  // producer p's own
    cache_padded<typename World::template atomic<run*>> top_{nullptr};
    std::vector<cursor> runs_;  // the consumer's own
};

}  // namespace gauntlet
