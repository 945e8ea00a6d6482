// The one place that maps a queue contract's multiplicity to the threads a
// check drives.
//
// Every check that runs threads against a queue (stress, linearizability
// histories, the Relacy scenarios, benchmarks, progress) asks `roles_for`
// how many producers and consumers to start: a `single` side gets exactly
// one thread, a `multi` side gets the number the check asks for. The
// static_asserts below cover every multiplicity combination (SPSC, MPSC,
// SPMC, MPMC), so a new combination cannot be driven as another.
#pragma once

#include "primitives/queues/contract.hpp"

namespace gauntlet {

struct queue_roles {
    unsigned producers;
    unsigned consumers;
    constexpr unsigned threads() const { return producers + consumers; }
};

// `multi_producers` / `multi_consumers`: what the check wants on a side that
// admits several threads (at least 2, or the check would not test it).
constexpr queue_roles roles_for(const queue_traits& t, unsigned multi_producers, unsigned multi_consumers) {
    switch (t.producers) {
        case multiplicity::single:
            switch (t.consumers) {
                case multiplicity::single: return {1, 1};
                case multiplicity::multi: return {1, multi_consumers};
            }
            break;
        case multiplicity::multi:
            switch (t.consumers) {
                case multiplicity::single: return {multi_producers, 1};
                case multiplicity::multi: return {multi_producers, multi_consumers};
            }
            break;
    }
    return {0, 0};  // unreachable: every enumerator is handled above
}

namespace roles_detail {
constexpr bool respects(multiplicity p, multiplicity c) {
    const queue_traits t{p, c, true, queue_order::linearizable};
    const queue_roles r = roles_for(t, 3, 2);
    return r.producers >= 1 && r.consumers >= 1 && (p == multiplicity::multi || r.producers == 1) &&
           (c == multiplicity::multi || r.consumers == 1) && (p == multiplicity::single || r.producers == 3) &&
           (c == multiplicity::single || r.consumers == 2);
}
static_assert(respects(multiplicity::single, multiplicity::single), "SPSC roles");
static_assert(respects(multiplicity::multi, multiplicity::single), "MPSC roles");
static_assert(respects(multiplicity::single, multiplicity::multi), "SPMC roles");
static_assert(respects(multiplicity::multi, multiplicity::multi), "MPMC roles");
}  // namespace roles_detail

}  // namespace gauntlet
