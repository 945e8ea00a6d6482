// run_merge: the seed's design (producers order, the consumer merges) with a
// batch of one: every push is published at once, as a node pushed onto one
// lock-free stack (a Treiber stack: CAS on its top, release on success), and
// the consumer merges with a binary heap of its own.
//
// try_pop first collects: one exchange of the stack's top with null
// (acquire) takes every node published so far; the list is reversed into
// push order and each item enters the consumer's heap with a consumer-side
// arrival number, the tie-break among equal priorities (a producer's items
// reach the stack, and so the heap, in the order it pushed them: per-producer
// order among equal priorities holds). Then the heap's top is popped.
//
// Strict. A pop linearizes at its exchange: every push whose CAS came before
// it is in the heap, and the heap's top is the highest of them. A node
// published after the exchange (mid-merge) is not seen by this pop; it is
// linearized after it and collected by the next pop.
//
// Lock-free producers (a CAS loop); the consumer never waits. Items travel in
// World::var cells of heap nodes (World::make / destroy), so under Relacy a
// missing release is a data race on the item and a lost node a leak.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/pq/contract.hpp"
#include "primitives/pq/mutex_heap.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct run_merge_policy {
    // The producer's successful CAS on the stack's top. Relaxed: the mutant
    // run_merge.relaxed_publish (the node's item is read by the consumer
    // without a happens-before edge from its write).
    static constexpr std::memory_order publish = std::memory_order_release;
    // false: the mutant run_merge.late_batch_skipped, whose pop collects the
    // stack only when its own heap is empty: an item published after an
    // earlier collect waits behind everything collected before it.
    static constexpr bool collect_every_pop = true;
    // false: the mutant run_merge.leaky_collect, whose collect never frees
    // the nodes it took (a leak of one node per item).
    static constexpr bool free_collected = true;
};

inline bool pq_heap_less(const pq_slot& a, const pq_slot& b) { return pq_before(b, a); }

template <world World, class Policy = run_merge_policy>
class run_merge {
    struct node {
        item_cell<World> item;
        typename World::template var<node*> next;
    };

public:
    explicit run_merge(std::size_t /*producers*/) {}
    run_merge(const run_merge&) = delete;
    run_merge& operator=(const run_merge&) = delete;
    ~run_merge() {
        // sweep: relaxed by argument: the destructor runs once every thread
        // that used the queue has been joined, which orders their pushes
        // before it. Weakened from acquire with the pq model and the
        // ThreadSanitizer stress passing.
        node* n = top_->exchange(nullptr, std::memory_order_relaxed);
        while (n) {
            node* next = n->next.load();
            World::destroy(n);
            n = next;
        }
    }

    void push(std::size_t, pq_item v) {
        node* n = World::template make<node>();
        n->item.store(v);
        node* head = top_->load(std::memory_order_relaxed);
        do {
            n->next.store(head);
        } while (!top_->compare_exchange_weak(head, n, Policy::publish, std::memory_order_relaxed));
    }
    void flush(std::size_t) {}

    bool try_pop(pq_item& out) {
        if (Policy::collect_every_pop || heap_.empty()) collect();
        if (heap_.empty()) return false;
        std::pop_heap(heap_.begin(), heap_.end(), pq_heap_less);
        out = heap_.back().item;
        heap_.pop_back();
        return true;
    }

private:
    void collect() {
        node* n = top_->exchange(nullptr, std::memory_order_acquire);
        node* fifo = nullptr;  // reversed: oldest first
        while (n) {
            node* next = n->next.load();
            n->next.store(fifo);
            fifo = n;
            n = next;
        }
        while (fifo) {
            node* next = fifo->next.load();
            heap_.push_back({fifo->item.load(), arrival_++});
            std::push_heap(heap_.begin(), heap_.end(), pq_heap_less);
            if constexpr (Policy::free_collected) World::destroy(fifo);
            fifo = next;
        }
    }

    cache_padded<typename World::template atomic<node*>> top_{nullptr};
    // the consumer's own
    std::vector<pq_slot> heap_;
    std::uint64_t arrival_ = 0;
};

}  // namespace gauntlet
