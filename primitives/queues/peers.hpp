// Peer queues: thin adapters from third-party queues to the queue contract.
//
// Each adapter gives a Debian-packaged queue the contract shape
// (primitives/queues/contract.hpp):
//
//   Q q(capacity);          // bounded peers: the bound; unbounded: a size hint
//   bool q.try_push(T v);   // false only when a bounded queue is full
//   bool q.try_pop(T& out); // false when the queue appeared empty
//   std::size_t q.capacity() const;  // bounded peers only: the bound in force
//
// with T = std::uint64_t, and adds nothing else: no lock, no extra atomic, no
// retry loop. Whatever a check finds is the peer's behaviour, not ours.
//
// Values: the checks push values below 2^62. Two peers reserve values:
// atomic_queue's AtomicQueueB marks an empty slot with a NIL value (here
// ~0), and xenium's ramalhete_queue stores pointer-sized words whose top bit
// is its mark and whose zero means "empty", so that adapter stores v + 1.
//
// Bounds in force: `capacity()` reports the bound the peer really applies,
// which the property check uses for its full/empty commands. atomic_queue
// rounds the requested size up to a power of two of at least 64 elements
// (AtomicQueueB's constructor, atomic_queue.h); the others honour the request
// exactly (Boost spsc_queue keeps one slot free internally and allocates
// capacity + 1; Boost queue preallocates capacity nodes plus its dummy;
// tbb::concurrent_bounded_queue::set_capacity).
//
// Each peer is compiled only when its package is found by meson, which then
// defines GAUNTLET_HAVE_<PEER> (properties/queues/meson.build finds them).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(GAUNTLET_HAVE_BOOST_LOCKFREE)
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#endif
#if defined(GAUNTLET_HAVE_MOODYCAMEL)
#include <concurrentqueue/concurrentqueue.h>
#endif
#if defined(GAUNTLET_HAVE_READERWRITERQUEUE)
#include <readerwriterqueue/readerwriterqueue.h>
#endif
#if defined(GAUNTLET_HAVE_ATOMIC_QUEUE)
#include <atomic_queue/atomic_queue.h>
#endif
#if defined(GAUNTLET_HAVE_TBB)
#include <oneapi/tbb/concurrent_queue.h>
#endif
#if defined(GAUNTLET_HAVE_XENIUM)
#include <xenium/michael_scott_queue.hpp>
#include <xenium/ramalhete_queue.hpp>
#include <xenium/reclamation/generic_epoch_based.hpp>
#endif

namespace gauntlet::peers {

using item = std::uint64_t;

#if defined(GAUNTLET_HAVE_BOOST_LOCKFREE)
// boost::lockfree::spsc_queue with a run-time capacity: Lamport's wait-free
// single-producer single-consumer ring (one slot kept empty to tell full
// from empty). push/pop return false when full/empty.
class boost_spsc_queue {
public:
    explicit boost_spsc_queue(std::size_t capacity) : q_(capacity), capacity_(capacity) {}
    bool try_push(item v) { return q_.push(v); }
    bool try_pop(item& out) { return q_.pop(out); }
    std::size_t capacity() const { return capacity_; }

private:
    boost::lockfree::spsc_queue<item> q_;
    std::size_t capacity_;
};

// boost::lockfree::queue: Michael–Scott queue over a tagged free list.
// Constructed with `capacity` preallocated nodes, and `bounded_push` never
// allocates, so the queue holds at most `capacity` items.
class boost_mpmc_queue {
public:
    explicit boost_mpmc_queue(std::size_t capacity) : q_(capacity), capacity_(capacity) {}
    bool try_push(item v) { return q_.bounded_push(v); }
    bool try_pop(item& out) { return q_.pop(out); }
    std::size_t capacity() const { return capacity_; }

private:
    boost::lockfree::queue<item> q_;
    std::size_t capacity_;
};
#endif

#if defined(GAUNTLET_HAVE_MOODYCAMEL)
// moodycamel::ConcurrentQueue without tokens: each thread enqueues into its
// own implicit sub-queue, a consumer scans sub-queues. FIFO per producer
// only: there is no total order across producers. `enqueue` allocates blocks
// as needed, so it is unbounded (false only when allocation fails).
class moodycamel_concurrent_queue {
public:
    explicit moodycamel_concurrent_queue(std::size_t capacity) : q_(capacity) {}
    bool try_push(item v) { return q_.enqueue(v); }
    bool try_pop(item& out) { return q_.try_dequeue(out); }

private:
    moodycamel::ConcurrentQueue<item> q_;
};
#endif

#if defined(GAUNTLET_HAVE_READERWRITERQUEUE)
// moodycamel::ReaderWriterQueue: single-producer single-consumer queue made
// of a linked list of rings; `enqueue` allocates a new ring when the current
// one is full (unbounded).
class moodycamel_reader_writer_queue {
public:
    explicit moodycamel_reader_writer_queue(std::size_t capacity) : q_(capacity) {}
    bool try_push(item v) { return q_.enqueue(v); }
    bool try_pop(item& out) { return q_.try_dequeue(out); }

private:
    moodycamel::ReaderWriterQueue<item> q_;
};
#endif

#if defined(GAUNTLET_HAVE_ATOMIC_QUEUE)
// atomic_queue::AtomicQueueB: ring of atomic slots with run-time size; push
// and pop claim a slot index with a CAS on head/tail, then spin until the
// slot holds NIL (push) or a value (pop).
class atomic_queue_b {
public:
    static constexpr item nil = ~item{0};
    explicit atomic_queue_b(std::size_t capacity) : q_(static_cast<unsigned>(capacity)) {}
    bool try_push(item v) { return q_.try_push(v); }
    bool try_pop(item& out) { return q_.try_pop(out); }
    std::size_t capacity() const { return q_.capacity(); }

private:
    atomic_queue::AtomicQueueB<item, std::allocator<item>, nil> q_;
};
#endif

#if defined(GAUNTLET_HAVE_TBB)
// oneTBB concurrent_queue: unbounded; tickets from two counters spread items
// over eight micro-queues.
class tbb_concurrent_queue {
public:
    explicit tbb_concurrent_queue(std::size_t) {}
    bool try_push(item v) {
        q_.push(v);
        return true;
    }
    bool try_pop(item& out) { return q_.try_pop(out); }

private:
    tbb::concurrent_queue<item> q_;
};

// oneTBB concurrent_bounded_queue with set_capacity: the same micro-queues
// plus a capacity check; try_push returns false when full.
class tbb_concurrent_bounded_queue {
public:
    explicit tbb_concurrent_bounded_queue(std::size_t capacity) : capacity_(capacity) {
        q_.set_capacity(static_cast<std::ptrdiff_t>(capacity));
    }
    bool try_push(item v) { return q_.try_push(v); }
    bool try_pop(item& out) { return q_.try_pop(out); }
    std::size_t capacity() const { return capacity_; }

private:
    tbb::concurrent_bounded_queue<item> q_;
    std::size_t capacity_;
};
#endif

#if defined(GAUNTLET_HAVE_XENIUM)
// Both xenium queues need a memory reclamation scheme for their nodes; epoch
// based reclamation (Fraser) is xenium's general-purpose default.
using xenium_reclaimer = xenium::reclamation::epoch_based<>;

// xenium::michael_scott_queue: the Michael–Scott lock-free queue (PODC 1996),
// one allocation per push.
class xenium_michael_scott_queue {
public:
    explicit xenium_michael_scott_queue(std::size_t) {}
    bool try_push(item v) {
        q_.push(v);
        return true;
    }
    bool try_pop(item& out) { return q_.try_pop(out); }

private:
    xenium::michael_scott_queue<item, xenium::policy::reclaimer<xenium_reclaimer>> q_;
};

// xenium::ramalhete_queue: Ramalhete's FAA array queue (linked nodes of 512
// slots claimed by fetch_add). It stores pointer-sized words, with nullptr as
// "empty" and the top bit as its mark: the adapter stores the opaque word
// v + 1 (never dereferenced) and requires v < 2^62.
class xenium_ramalhete_queue {
public:
    explicit xenium_ramalhete_queue(std::size_t) {}
    bool try_push(item v) {
        q_.push(reinterpret_cast<word*>(static_cast<std::uintptr_t>(v + 1)));
        return true;
    }
    bool try_pop(item& out) {
        word* w = nullptr;
        if (!q_.try_pop(w)) return false;
        out = static_cast<item>(reinterpret_cast<std::uintptr_t>(w)) - 1;
        return true;
    }

private:
    struct word;
    xenium::ramalhete_queue<word*, xenium::policy::reclaimer<xenium_reclaimer>> q_;
};
#endif

}  // namespace gauntlet::peers
