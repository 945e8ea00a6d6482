// Relacy side of the litmus suite: each catalogue entry's body over
// relacy_world, explored by the fair full-search scheduler; after every
// complete execution the outcome is added to a per-test set.
//
// The full search enumerates thread interleavings and, for every load, the
// stores Relacy lets it read (its model of coherence, happens-before and
// seq_cst). Relacy does not produce every outcome the C++ model allows: each
// store goes to the end of its location's modification order at the moment it
// executes, and a load never reads a store that has not executed yet, so load
// buffering (LB), 2+2W and S are out of its reach. Each catalogue row declares
// the allowed outcomes it expects Relacy not to reach (`unreached`, with the
// table's `model_gap` reason); litmus_main.cpp fails a test whose gaps differ
// from the declaration either way.
#include "primitives/relacy_world.hpp"  // first: see relacy_world.hpp

#include <chrono>

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
    static inline std::array<outcome, 4> strays{};  // distinct out-of-domain outcomes (a broken test)
    static inline unsigned stray_count = 0;

    void thread(unsigned k) { b.thread(k); }
    void after() {
        const outcome o = b.read();
        if (o.template in_domain<shape>())
            ++reached[o.template index<shape>()];
        else if (stray_count < strays.size() &&
                 std::none_of(strays.begin(), strays.begin() + stray_count,
                              [&](const outcome& s) { return s.n == o.n && s.r == o.r; }))
            strays[stray_count++] = o;
    }
};

}  // namespace

model_answer model_outcomes(std::string_view name) {
    model_answer a;
    for_each_entry(catalogue{}, [&]<class E>() {
        if (a.found || E::name != name) return;
        a.found = true;
        using suite = litmus_suite<E>;
        suite::reached.fill(0);
        suite::stray_count = 0;
        const auto t0 = std::chrono::steady_clock::now();
        model_budget budget;
        budget.full = true;
        const model_outcome o = model_check<suite, search_kind::full>(budget);
        a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        a.executions = o.executions;
        a.completed = o.passed;
        if (!o.passed) a.error = o.result + "\n" + o.trace;
        for (unsigned k = 0; k < suite::reached.size(); ++k)
            if (suite::reached[k]) a.reached |= 1u << k;
        for (unsigned i = 0; i < suite::stray_count; ++i) {
            const std::string o = suite::strays[i].str();
            if (std::find(a.strays.begin(), a.strays.end(), o) == a.strays.end()) a.strays.push_back(o);
        }
    });
    return a;
}

}  // namespace gauntlet::litmus
