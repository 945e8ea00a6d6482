// model check, lifecycle: Relacy explores the race between admissions,
// drain() and wait_closed() for every world-swappable catalogue entry.
//
// Scenario (workers + 2 threads): each worker observes the state, try_enter, write
// their own slot while admitted and exit; one thread drains; one thread waits
// for CLOSED. The close hook reads every slot (a data race if a unit's work
// does not happen-before the close) and counts itself.
// Safety: observed states never go backwards; a worker that observed DRAINING
// or later is never admitted; the hook runs exactly once.
// Liveness: after drain() and every admitted exit the state is CLOSED and the
// waiter has returned: otherwise the waiter stays parked and Relacy reports a
// deadlock.
// Search: with one worker (3 threads) every schedule with at most two
// preemptions, then 300000 random executions with two workers.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdio>
#include <string>

#include "models/model_check.hpp"
#include "primitives/command_line.hpp"
#include "primitives/lifecycle/catalogue.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;

template <class Entry, int workers>
struct lifecycle_race : rl::test_suite<lifecycle_race<Entry, workers>, workers + 2> {
    using L = typename Entry::template type<W>;

    W::var<int> slot[workers];
    W::var<int> closes{0};
    L life{close_hook{[](void* self) { static_cast<lifecycle_race*>(self)->on_close(); }, this}};

    void on_close() {
        for (auto& s : slot) (void)s.load();  // the units' work, released to the closer
        closes.store(closes.load() + 1);
    }

    void before() { RL_ASSERT(life.start()); }

    void thread(unsigned index) {
        if (index < workers) {
            const auto seen = life.state();
            const bool admitted = life.try_enter();
            if (seen >= lifecycle_state::draining) RL_ASSERT(!admitted);  // no admission after DRAINING
            if (admitted) {
                slot[index].store(1);
                life.exit();
            }
            RL_ASSERT(life.state() >= seen);  // one-way
        } else if (index == workers) {
            RL_ASSERT(life.drain());
            RL_ASSERT(life.state() >= lifecycle_state::draining);
        } else {
            life.wait_closed();
            RL_ASSERT(life.state() == lifecycle_state::closed);
        }
    }

    void after() {
        RL_ASSERT(life.state() == lifecycle_state::closed);
        RL_ASSERT(closes.load() == 1);
    }
};

template <class Entry>
record check_entry(bool full_two_workers) {
    record r = record_for<Entry>(lifecycle_component);
    r.expected = Entry::expected.model;
    // 1. one worker against drain() and wait_closed(): every schedule with at
    //    most two preemptions (Relacy's context-bound scheduler; its full
    //    search does not finish in minutes even at three threads)
    model_budget exhaustive;
    exhaustive.context_bound_search = true;
    exhaustive.context_bound = 2;
    auto o = model_check<lifecycle_race<Entry, 1>>(exhaustive);
    std::string how = "context-bounded search (2 preemptions), 1 worker";
    unsigned long executions = o.executions;
    // 2. two workers: random search (full search is hours at 4 threads)
    if (o.passed) {
        model_budget wide;
        wide.full = full_two_workers;
        wide.iterations = 300000;
        o = model_check<lifecycle_race<Entry, 2>>(wide);
        how = std::string(full_two_workers ? "full" : "random") + " search, 2 workers";
        executions += o.executions;
    }
    r.got = o.passed ? verdict::pass : verdict::fail;
    r.detail = o.passed ? "no violation: every schedule with at most 2 preemptions with 1 worker, " +
                              std::string(full_two_workers ? "full" : "300000 random executions") +
                              " with 2 workers (" + std::to_string(executions) + " executions)"
                        : o.result + " found by " + how;
    r.trace = o.trace;
    r.extra["executions"] = std::to_string(executions);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    bool full = false;
    command_line cl("lifecycle_model",
                    "Model-checks every lifecycle entry with Relacy: every schedule with at most 2\n"
                    "preemptions of the 1-worker scenario, then 300000 random executions of the\n"
                    "2-worker one. Results go to $GAUNTLET_RESULTS_DIR.");
    cl.flag("--full", "exhaustive search of the 2-worker scenario too (hours)", full);
    if (const int status = cl.parse(argc, argv); status >= 0) return status;
    verdict_log log("model");
    for_each_entry(lifecycle_catalogue{}, [&]<class E>() {
        if constexpr (E::world_swappable)
            if (E::expected.model != expect::na) log.add(check_entry<E>(full));
    });
    return log.exit_status();
}
