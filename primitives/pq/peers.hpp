// Peer priority queues: third-party concurrent priority queues behind the pq
// contract.
//
// tbb::concurrent_priority_queue (Debian libtbb-dev, oneTBB 2021): push and
// try_pop from any thread; the adapter gives it a comparator that puts the
// larger priority first. oneTBB's documentation describes try_pop as taking
// the highest-priority element; it says nothing of the order of equal
// priorities (its heap does not keep push order), so the entry declares
// strict, not FIFO among equal priorities. The producer index is ignored;
// flush is a no-op.
#pragma once

#include <cstddef>

#include "primitives/pq/contract.hpp"

#if defined(GAUNTLET_HAVE_TBB)
#include <oneapi/tbb/concurrent_priority_queue.h>
#endif

namespace gauntlet::pq_peers {

#if defined(GAUNTLET_HAVE_TBB)
class tbb_priority_queue {
    struct lower {
        bool operator()(const pq_item& a, const pq_item& b) const { return a.priority < b.priority; }
    };

public:
    explicit tbb_priority_queue(std::size_t) {}
    void push(std::size_t, pq_item v) { q_.push(v); }
    void flush(std::size_t) {}
    bool try_pop(pq_item& out) { return q_.try_pop(out); }

private:
    tbb::concurrent_priority_queue<pq_item, lower> q_;
};
#endif

}  // namespace gauntlet::pq_peers
