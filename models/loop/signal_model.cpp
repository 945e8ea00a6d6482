// model check, signal rings (primitives/loop/signal_catalogue.hpp): Relacy
// explores two signal handlers (threads 1 and 2; in a process they are
// handlers running at once on two threads, or one interrupting the other)
// racing the loop's drains on a shrunk ring.
//
// Scenarios (`race<Slots, Enqueues, Drains>`): each handler enqueues
// `Enqueues` signals (handler k sends 10k+1, 10k+2, ...), the loop drains
// `Drains` times meanwhile, then drains what is left. Checks: every drained
// signal was enqueued by a call that returned true, exactly once; every
// call that returned true is drained; dropped() equals the calls that
// returned false. Relacy adds data races on World::var (the seed ring's
// slots).
//   one_slot    Slots 1, 1 enqueue each, 1 drain: a full ring and a lap
//               (a handler reserving the slot the drain is leaving);
//   two_slots   Slots 2, 2 enqueues each, 2 drains: wrap-around of slot
//               indices with both handlers interleaved.
// Search: Relacy's context-bound scheduler, every schedule with at most 1,
// then 2 preemptions (--bound), each with every value a load may read under
// the C++ model as Relacy implements it. What Relacy cannot see: stores
// become visible in execution order (no load-buffering outcomes), so an
// order that only a reordered store would break is not tested here; signal
// delivery itself (async interruption of a thread mid-instruction) is
// modelled as a thread switch.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdint>
#include <optional>
#include <string>

#include "models/model_check.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/loop/signal_catalogue.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;

template <class Entry, std::size_t Slots, unsigned Enqueues, unsigned Drains>
struct race : rl::test_suite<race<Entry, Slots, Enqueues, Drains>, 3> {
    using R = typename Entry::template type<W, Slots>;

    std::optional<R> ring;
    bool accepted[2][Enqueues] = {};
    unsigned seen[2][Enqueues] = {};

    void before() { ring.emplace(); }

    void take(std::uint8_t s) {
        const unsigned k = s / 10 - 1, i = s % 10 - 1;
        RL_ASSERT(k < 2 && i < Enqueues);  // a signal some handler sent
        ++seen[k][i];
    }

    void thread(unsigned index) {
        if (index == 0) {
            for (unsigned d = 0; d < Drains; ++d) ring->drain([this](std::uint8_t s) { take(s); });
            return;
        }
        const unsigned k = index - 1;
        for (unsigned i = 0; i < Enqueues; ++i)
            accepted[k][i] = ring->enqueue(static_cast<std::uint8_t>(10 * (k + 1) + i + 1));
    }

    void after() {
        ring->drain([this](std::uint8_t s) { take(s); });
        std::uint64_t refused = 0;
        for (unsigned k = 0; k < 2; ++k)
            for (unsigned i = 0; i < Enqueues; ++i) {
                RL_ASSERT(seen[k][i] == (accepted[k][i] ? 1u : 0u));  // accepted: drained exactly once
                refused += accepted[k][i] ? 0 : 1;
            }
        RL_ASSERT(ring->dropped() == refused);  // every refusal counted
        ring.reset();
    }
};

template <class Entry>
result check_entry(unsigned bound) {
    search_run s;
    s.deepen<race<Entry, 1, 1, 1>>("one_slot", bound);
    s.deepen<race<Entry, 2, 2, 2>>("two_slots", bound);
    return verdict_of(s);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned bound = 2;
    check_program prog("signal_model", check_kind::model,
                       "Model-checks every signal ring with Relacy: two handlers racing the loop's drains on a\n"
                       "ring of 1 and of 2 slots.",
                       120.0);
    prog.options().option("--bound", "N", "largest preemption bound searched (default 2)", bound, 1u, 4u);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<signal_kind>([&]<class E>(const entry_context&) -> result { return check_entry<E>(bound); });
    return prog.finish();
}
