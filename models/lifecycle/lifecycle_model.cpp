// model check, lifecycle: Relacy explores the race between admissions,
// drain() and wait_closed() for every world-swappable catalogue entry.
//
// Scenario (4 threads): two workers each observe the state, try_enter, write
// their own slot while admitted and exit; one thread drains; one thread waits
// for CLOSED. The close hook reads every slot (a data race if a unit's work
// does not happen-before the close) and counts itself.
// Safety: observed states never go backwards; a worker that observed DRAINING
// or later is never admitted; the hook runs exactly once.
// Liveness: after drain() and every admitted exit the state is CLOSED and the
// waiter has returned: otherwise the waiter stays parked and Relacy reports a
// deadlock.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdio>
#include <string>

#include "models/model_check.hpp"
#include "primitives/lifecycle/catalogue.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;

constexpr int workers = 2;

template <class Entry>
struct lifecycle_race : rl::test_suite<lifecycle_race<Entry>, workers + 2> {
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
record check_entry(bool full) {
    record r = record_for<Entry>(lifecycle_component);
    r.expected = Entry::expected.model;
    model_budget b;
    b.full = full;
    b.iterations = 300000;
    const auto o = model_check<lifecycle_race<Entry>>(b);
    r.got = o.passed ? verdict::pass : verdict::fail;
    r.detail = o.passed ? std::string(full ? "full search" : "random search") + ": no violation in " +
                              std::to_string(o.executions) + " executions"
                        : o.result + " found by " + (full ? "full" : "random") + " search";
    r.trace = o.trace;
    r.extra["executions"] = std::to_string(o.executions);
    r.extra["search"] = full ? "\"full\"" : "\"random\"";
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    bool full = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::puts("usage: lifecycle_model [--full]\n"
                      "Model-checks every lifecycle entry with Relacy: 300000 random executions\n"
                      "of the 4-thread scenario (seconds), or --full for Relacy's exhaustive\n"
                      "search (hours at 4 threads). Results go to $GAUNTLET_RESULTS_DIR.");
            return 0;
        } else if (a == "--full") {
            full = true;
        } else {
            std::fprintf(stderr, "lifecycle_model: unknown argument '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    verdict_log log("model");
    for_each_entry(lifecycle_catalogue{}, [&]<class E>() {
        if constexpr (E::world_swappable)
            if (E::expected.model != expect::na) log.add(check_entry<E>(full));
    });
    return log.exit_status();
}
