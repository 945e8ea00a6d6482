// Relacy side of the litmus suite: each catalogue entry's body over
// relacy_world, explored by the fair full-search scheduler; after every
// complete execution the outcome is added to a per-test set.
//
// The full search enumerates thread interleavings and, for every load, the
// stores Relacy lets it read (its model of coherence, happens-before and
// seq_cst). Relacy does not produce every outcome the C++ model allows: each
// store goes to the end of its location's modification order at the moment it
// executes, and a load never reads a store that has not executed yet, so load
// buffering (LB), 2+2W and S are out of its reach. The caller reports such gaps
// as "limitation", never as a pass or fail.
#include "primitives/relacy_world.hpp"  // first: see relacy_world.hpp

#include <chrono>
#include <set>

#include "litmus/litmus_catalogue.hpp"
#include "litmus/model_runner.hpp"
#include "models/model_check.hpp"

namespace gauntlet::litmus {
namespace {

// Outcomes are tallied into fixed arrays: Relacy owns the heap inside the
// simulation (an allocation that outlives an execution is reported as a
// leak), so after() must not allocate.
template <class Entry>
struct litmus_suite : rl::test_suite<litmus_suite<Entry>, Entry::shape::threads> {
    using shape = typename Entry::shape;
    typename Entry::template body<relacy_world> b;
    static inline std::array<unsigned long, domain_size<shape>()> reached{};
    static inline std::array<outcome, 4> strays{};  // out-of-domain outcomes (a broken test)
    static inline unsigned stray_count = 0;

    void thread(unsigned k) { b.thread(k); }
    void after() {
        const outcome o = b.read();
        if (o.template in_domain<shape>())
            ++reached[o.template index<shape>()];
        else if (stray_count < strays.size())
            strays[stray_count++] = o;
    }
};

}  // namespace

model_answer model_outcomes(std::string_view name) {
    model_answer a;
    for_each_entry(catalogue{}, [&]<class E>() {
        if (a.found || test_name<E>() != name) return;
        a.found = true;
        using suite = litmus_suite<E>;
        suite::reached.fill(0);
        suite::stray_count = 0;
        const auto t0 = std::chrono::steady_clock::now();
        model_budget budget;
        budget.full = true;
        const model_outcome o = model_check<suite>(budget);
        a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        a.executions = o.executions;
        a.completed = o.passed;
        if (!o.passed) a.error = o.result + "\n" + o.trace;
        std::set<std::string> seen;
        for (unsigned k = 0; k < suite::reached.size(); ++k)
            if (suite::reached[k]) seen.insert(domain_outcome<typename E::shape>(k));
        for (unsigned i = 0; i < suite::stray_count; ++i) seen.insert(suite::strays[i].str());
        a.outcomes.assign(seen.begin(), seen.end());
    });
    return a;
}

}  // namespace gauntlet::litmus
