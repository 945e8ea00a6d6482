// The queue catalogue: every queue implementation the checks and benchmarks
// run, in-house entries (inhouse_catalogue.hpp: own algorithms and their
// mutants) followed by the peers (peer_catalogue.hpp: third-party queues
// behind adapters).
//
// Adding a queue to every check is one entry struct and one list element in
// one of those two files. Checks walk `queue_kind` through check_program and
// drive the threads `roles_for(E::traits, ...)` gives (roles.hpp).
#pragma once

#include <concepts>
#include <cstddef>

#include <string>

#include "primitives/catalogue.hpp"
#include "primitives/queues/inhouse_catalogue.hpp"
#include "primitives/queues/peer_catalogue.hpp"
#include "primitives/queues/roles.hpp"

namespace gauntlet {

using queue_catalogue = concat_lists<inhouse_queue_catalogue, peer_queue_catalogue>;

// The queue component kind, as the check harness walks it: every entry,
// peers included (inhouse_queue_kind, in inhouse_catalogue.hpp, is the part
// the Relacy world can compile).
struct queue_kind : inhouse_queue_kind {
    using catalogue = queue_catalogue;
};

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
