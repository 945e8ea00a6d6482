// The queue catalogue: every queue implementation the checks and benchmarks
// run, in-house entries (inhouse_catalogue.hpp: own algorithms and their
// mutants) followed by the peers (peer_catalogue.hpp: third-party queues
// behind adapters).
//
// Adding a queue to every check is one entry struct and one list element in
// one of those two files. Checks walk `queue_catalogue` with for_each_entry
// and select by E::traits (contract) and E::origin (benchmarks skip mutants).
#pragma once

#include <concepts>
#include <cstddef>

#include "../catalogue.hpp"
#include "peer_catalogue.hpp"

#if __has_include("inhouse_catalogue.hpp")
#include "inhouse_catalogue.hpp"
#define GAUNTLET_HAVE_INHOUSE_QUEUES 1
#endif

namespace gauntlet {

#if defined(GAUNTLET_HAVE_INHOUSE_QUEUES)
using queue_catalogue = concat_lists<inhouse_queue_catalogue, peer_queue_catalogue>;
#else
// The in-house list is not in this tree yet: the checks run the peers alone.
using queue_catalogue = peer_queue_catalogue;
#endif

// The bound a constructed queue really applies: its `capacity()` when it has
// one (atomic_queue rounds the request up), else the requested capacity.
template <class Q>
std::size_t bound_in_force(const Q& q, std::size_t requested) {
    if constexpr (requires { { q.capacity() } -> std::convertible_to<std::size_t>; })
        return static_cast<std::size_t>(q.capacity());
    else
        return requested;
}

}  // namespace gauntlet
