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
// preemptions, then --executions random executions with two workers (the
// random scheduler seeded from the entry's seed; the default --seed is fixed).
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdio>
#include <string>

#include "models/model_check.hpp"
#include "primitives/harness/check_program.hpp"
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
result check_entry(bool full_two_workers, unsigned long random_executions, std::uint64_t seed) {
    // 1. one worker against drain() and wait_closed(): every schedule with at
    //    most two preemptions (Relacy's context-bound scheduler; its full
    //    search does not finish in minutes even at three threads)
    model_budget exhaustive;
    exhaustive.context_bound_search = true;
    exhaustive.context_bound = 2;
    std::vector<model_search> searches;
    auto o = model_check<lifecycle_race<Entry, 1>>(exhaustive);
    searches.push_back({"1 worker", exhaustive, o.executions});
    // 2. two workers: random search (full search is hours at 4 threads)
    if (o.passed) {
        model_budget wide;
        wide.full = full_two_workers;
        wide.iterations = random_executions;
        wide.seed = seed;
        o = model_check<lifecycle_race<Entry, 2>>(wide);
        searches.push_back({"2 workers", wide, o.executions});
    }
    json m = describe(searches);
    const std::string how = summary(searches);
    return o.passed ? result::pass("no violation: " + how, m)
                    : result::fail(o.result + " found by " + how, o.trace, m);
}

}  // namespace

int main(int argc, char** argv) {
    bool full = false;
    unsigned long executions = 300000;
    check_program prog("lifecycle_model", check_kind::model,
                       "Model-checks every lifecycle entry with Relacy: every schedule with at most 2\n"
                       "preemptions of the 1-worker scenario, then random executions of the 2-worker one.",
                       600.0);
    prog.options()
        .flag("--full", "exhaustive search of the 2-worker scenario too (hours)", full)
        .option("--executions", "N", "random executions of the 2-worker scenario (default 300000)", executions,
                1ul, 1000000000ul);
    prog.default_seed(0);  // a committed seed (Relacy's own sequence): held verdicts come from a fixed search
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<lifecycle_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (world_swappable<E>)
            return check_entry<E>(full, executions, ctx.base_seed);
        else
            return result::fail("a peer entry cannot be model-checked: declare model as skip");
    });
    return prog.finish();
}
