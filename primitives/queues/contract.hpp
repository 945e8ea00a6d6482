// Queue contracts.
//
// Every queue in the catalogue, in-house or peer, is used through one shape:
//
//   Q q(capacity);              // capacity: a bound for bounded queues, a hint otherwise
//   bool q.try_push(T v);       // false only when a bounded queue is full
//   bool q.try_pop(T& out);     // false when the queue appeared empty
//
// and declares what it promises in its catalogue entry as a `queue_traits`
// value: how many producers and consumers may call concurrently, whether it is
// bounded, and which order it guarantees. The checks hold each entry to what
// it promises and no more (moodycamel::ConcurrentQueue promises only FIFO per
// producer, so it is never checked for linearizability).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gauntlet {

enum class multiplicity { single, multi };

enum class queue_order {
    linearizable,       // every history is equivalent to a sequential FIFO queue
    fifo_per_producer,  // items of one producer are consumed in push order
    none,               // conservation and exactly-once only
};

struct queue_traits {
    multiplicity producers = multiplicity::multi;
    multiplicity consumers = multiplicity::multi;
    bool bounded = true;
    queue_order order = queue_order::linearizable;
};

constexpr std::string_view contract_name(const queue_traits& t) {
    if (t.producers == multiplicity::single && t.consumers == multiplicity::single)
        return t.bounded ? "spsc.bounded" : "spsc.unbounded";
    if (t.producers == multiplicity::multi && t.consumers == multiplicity::single)
        return t.bounded ? "mpsc.bounded" : "mpsc.unbounded";
    return t.bounded ? "mpmc.bounded" : "mpmc.unbounded";
}

template <class Q, class T = std::uint64_t>
concept queue = std::constructible_from<Q, std::size_t> && requires(Q q, T v, T& out) {
    { q.try_push(v) } -> std::same_as<bool>;
    { q.try_pop(out) } -> std::same_as<bool>;
};

}  // namespace gauntlet
