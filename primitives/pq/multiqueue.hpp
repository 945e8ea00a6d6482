// multiqueue: the relaxed MultiQueue of Rihani, Sanders and Dementiev
// ("MultiQueues: Simple Relaxed Concurrent Priority Queues", SPAA 2015):
// c·p sequential heaps, each under its own lock (here c = 2 and p counts
// the producers and the consumer). A push locks a heap chosen at random
// (try_lock; on failure another random heap); a pop looks at the tops of two
// heaps chosen at random and pops from the one whose top has the higher
// priority.
//
// Relaxed, with no rank bound promised: the paper's bound is on the expected
// rank error (O(c·p) in its analysis), not a worst case; a pop can return a
// low item while a higher one sits in a heap it did not look at. Nothing is
// lost or duplicated: each heap is a mutex_heap's heap under its lock. This
// entry (one consumer) reports empty only after locking every heap in turn
// and finding each empty. Not FIFO among equal priorities (one producer's
// items land on different heaps).
//
// The top of each heap is mirrored in an atomic (priority + 1, 0: empty),
// written under the heap's lock and read without it (relaxed): a hint that
// picks which heap to lock; the pop re-reads the top under the lock. Blocking
// (locks). Each producer's random choices come from its own generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/pq/contract.hpp"
#include "primitives/pq/mutex_heap.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct multiqueue_policy {
    // false: the mutant multiqueue.unlocked_pop, whose pop from the heap the
    // two-choice picked skips the heap's lock (the scan of every heap for
    // an empty answer still locks).
    static constexpr bool pop_takes_lock = true;
};

template <world World, class Policy = multiqueue_policy, std::size_t C = 2>
class multiqueue {
    struct lane {
        typename World::mutex mutex;
        var_heap<World> heap{16};
        typename World::template var<std::uint64_t> next_seq{0};
        typename World::template atomic<std::uint64_t> top_hint{0};  // priority + 1 of the top, 0: empty
    };
    struct rng {
        std::uint64_t s;
        std::uint64_t next() {  // xorshift64*
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            return s * 2685821657736338717ull;
        }
    };

public:
    explicit multiqueue(std::size_t producers) : lanes_(C * (producers + 1)), rngs_(producers + 1) {
        for (std::size_t i = 0; i < rngs_.size(); ++i) rngs_[i]->s = 0x9e3779b97f4a7c15ull * (i + 1);
    }
    multiqueue(const multiqueue&) = delete;
    multiqueue& operator=(const multiqueue&) = delete;

    void push(std::size_t p, pq_item v) {
        rng& r = *rngs_[p + 1];
        for (;;) {
            lane& l = *lanes_[r.next() % lanes_.size()];
            std::unique_lock<typename World::mutex> lock(l.mutex, std::try_to_lock);
            if (!lock.owns_lock()) continue;
            const std::uint64_t seq = l.next_seq.load();
            l.next_seq.store(seq + 1);
            l.heap.push({v, seq});
            refresh(l);
            return;
        }
    }
    void flush(std::size_t) {}

    bool try_pop(pq_item& out) {
        rng& r = *rngs_[0];
        const std::size_t n = lanes_.size();
        for (int attempt = 0; attempt < 4; ++attempt) {
            const std::size_t i = r.next() % n;
            std::size_t j = r.next() % (n - 1);
            if (j >= i) ++j;
            const std::uint64_t ti = lanes_[i]->top_hint.load(std::memory_order_relaxed);
            const std::uint64_t tj = lanes_[j]->top_hint.load(std::memory_order_relaxed);
            if (ti == 0 && tj == 0) break;
            if (take<Policy::pop_takes_lock>(*lanes_[ti >= tj ? i : j], out)) return true;
        }
        for (std::size_t k = 0; k < n; ++k)  // empty only when every heap is
            if (take<true>(*lanes_[k], out)) return true;
        return false;
    }

private:
    template <bool Locked>
    bool take(lane& l, pq_item& out) {
        std::unique_lock<typename World::mutex> lock(l.mutex, std::defer_lock);
        if constexpr (Locked) lock.lock();
        pq_slot s;
        if (!l.heap.pop(s)) return false;
        out = s.item;
        refresh(l);
        return true;
    }
    static void refresh(lane& l) {
        pq_slot t;
        l.top_hint.store(l.heap.top(t) ? std::uint64_t{t.item.priority} + 1 : 0, std::memory_order_relaxed);
    }

    std::vector<cache_padded<lane>> lanes_;
    std::vector<cache_padded<rng>> rngs_;  // [0] the consumer's, [p + 1] producer p's
};

}  // namespace gauntlet
