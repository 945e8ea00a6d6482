// The lifecycle catalogue: every lifecycle state machine and what each check
// is expected to say about it. Each expectation is justified beside it.
#pragma once

#include <string>

#include "primitives/catalogue.hpp"
#include "primitives/lifecycle/contract.hpp"
#include "primitives/lifecycle/mutex_lifecycle.hpp"
#include "primitives/lifecycle/packed_lifecycle.hpp"
#include "primitives/lifecycle/seed_atomic_service.hpp"

namespace gauntlet {

inline constexpr expectation lifecycle_no_linearizability{
    expect::skip, "the lifecycle contract is checked against its sequential model by property, not by histories"};
inline constexpr expectation mutant_not_timed{expect::skip, "mutants are not timed: a broken variant's speed is no result"};

// Seed 003's AtomicService, ported as written.
struct seed_atomic_service_entry {
    static constexpr std::string_view name = "seed_atomic_service";
    static constexpr origin_kind origin = origin_kind::seed;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = seed_atomic_service<W>;
    static constexpr expectations expected{
        // property: sequential histories never open the window between the
        // increment and the re-check in try_enter, and every sequential step
        // matches the reference model.
        .property = expect::pass,
        // model: drain() between a worker's increment and its re-check leaves
        // DRAINING with no unit admitted and nobody to close; Relacy reports
        // the parked wait_closed() as a deadlock (liveness finding).
        .model = expect::fail,
        // stress: workers retrying try_enter/exit in a tight loop spend about
        // a third of their time inside that window, so a drain lands in it
        // within the first few hundred rounds: after every thread has joined
        // the state is still DRAINING (liveness finding, replayable seed).
        .stress = expect::fail,
        .tsan = expect::fail,  // same body, same window, slower threads
        .bench = expect::pass,  // benchmarks never drain under load
        .linearizability = lifecycle_no_linearizability,
    };
};

// The in-house design: state and count in one word.
struct packed_lifecycle_entry {
    static constexpr std::string_view name = "packed_lifecycle";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = packed_lifecycle<W>;
    // Correct by design (see the header's argument): every check passes.
    static constexpr expectations expected{.linearizability = lifecycle_no_linearizability};
};

// std::mutex + std::condition_variable baseline.
struct mutex_lifecycle_entry {
    static constexpr std::string_view name = "mutex_lifecycle";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::blocking;
    template <class W>
    using type = mutex_lifecycle<W>;
    // Every access is under one mutex: every check passes, the model check
    // included (Relacy models the mutex and condition variable).
    static constexpr expectations expected{.linearizability = lifecycle_no_linearizability};
};

// Mutant: exit()'s fetch_sub weakened from release to relaxed.
struct mutant_packed_relaxed_exit_entry : packed_lifecycle_entry {  // shares progress
    static constexpr std::string_view name = "mutant_packed_relaxed_exit";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = packed_lifecycle_impl<W, std::memory_order_relaxed>;
    static constexpr expectations expected{
        .property = expect::pass,  // memory orders are invisible sequentially
        // model: a unit's writes no longer happen-before the close hook that
        // reads them: Relacy reports the data race.
        .model = expect::fail,
        // stress (native, x86-64): a relaxed RMW is still a locked
        // instruction, so the hardware cannot show the missing edge.
        .stress = expect::pass,
        // tsan: ThreadSanitizer derives happens-before from the orders as
        // written and reports the hook's read of a unit's slot as a race.
        .tsan = expect::fail,
        .bench = mutant_not_timed,
        .linearizability = lifecycle_no_linearizability,
    };
};

// Mutant: try_enter also admits while DRAINING (a state test too wide).
struct mutant_packed_admit_while_draining_entry : packed_lifecycle_entry {  // shares progress
    static constexpr std::string_view name = "mutant_packed_admit_while_draining";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = packed_lifecycle_impl<W, std::memory_order_release, true>;
    // Admission after DRAINING is visible in a single thread: every
    // correctness check catches it; benchmarks never drain.
    static constexpr expectations expected{
        .property = expect::fail,
        .model = expect::fail,
        .stress = expect::fail,
        .tsan = expect::fail,
        .bench = mutant_not_timed,
        .linearizability = lifecycle_no_linearizability,
    };
};

using lifecycle_catalogue =
    type_list<seed_atomic_service_entry, packed_lifecycle_entry, mutex_lifecycle_entry,
              mutant_packed_relaxed_exit_entry, mutant_packed_admit_while_draining_entry>;

// The lifecycle component kind, as the check harness walks it.
struct lifecycle_kind {
    static constexpr std::string_view name = "lifecycle";
    using catalogue = lifecycle_catalogue;
    template <class E>
    static std::string component() {
        return "lifecycle";
    }
};

}  // namespace gauntlet
