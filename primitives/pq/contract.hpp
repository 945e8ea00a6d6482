// The priority-queue contract (component kind "pq").
//
// Seed 000, "Priority queues (JS flavor)": workers push tasks with a priority,
// the main thread pops the highest. Many producers, one consumer.
//
//   P(producers)          an empty queue for producer indices 0..producers-1
//   push(p, item)         producer p only (each index is used by one thread at
//                         a time). The item is in the queue when push returns,
//                         unless the entry buffers (see flush)
//   flush(p)              producer p: publish whatever push(p, ...) buffered.
//                         A no-op for entries whose push publishes at once;
//                         every check calls it when a producer has no more to
//                         push
//   try_pop(out) -> bool  the one consumer. true: `out` is an item of the
//                         queue, removed. false: the queue is empty
//
// Priorities: a larger `priority` pops first. `payload` is opaque to the
// queue; the checks put the producer's index in its top 32 bits and the
// producer's running count below, so every item is unique.
//
// What each entry promises (pq_traits, stated again in each entry):
//   strict   try_pop returns an item of the highest priority present at its
//            linearization point (and false only when nothing is present);
//   relaxed  try_pop returns some item present, false only when nothing is;
//            the rank error of a pop (the number of items present at the pop
//            with a strictly higher priority than the one returned) is at
//            most `rank_bound`, or unbounded when rank_bound is `no_bound`;
//   fifo_among_equal: items of one producer with equal priorities pop in the
//            order that producer pushed them.
// Exactly once, for every entry: every pushed (and flushed) item is returned
// by exactly one pop; nothing that was not pushed is returned.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace gauntlet {

struct pq_item {
    std::uint32_t priority = 0;
    std::uint64_t payload = 0;
};

template <class P>
concept priority_queue = std::constructible_from<P, std::size_t> && requires(P& q, pq_item v, pq_item& out) {
    q.push(std::size_t{0}, v);
    q.flush(std::size_t{0});
    { q.try_pop(out) } -> std::same_as<bool>;
};

enum class pq_order { strict, relaxed };

inline constexpr std::size_t no_bound = std::numeric_limits<std::size_t>::max();

struct pq_traits {
    pq_order order = pq_order::strict;
    std::size_t rank_bound = 0;  // relaxed only; no_bound: none promised
    bool fifo_among_equal = true;
};

}  // namespace gauntlet
