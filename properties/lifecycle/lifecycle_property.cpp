// property check, lifecycle: every catalogue entry against one sequential
// reference model, with RapidCheck's stateful testing (random command
// sequences, shrunk to a minimal counterexample on failure).
//
// The reference model is the contract (primitives/lifecycle/contract.hpp)
// executed by one thread: start/try_enter/exit/drain return values, the state
// after every step, the number of close-hook runs, and that wait_closed()
// returns once CLOSED. Replay a failure with RC_PARAMS="seed=N".
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "primitives/command_line.hpp"
#include "primitives/lifecycle/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;

struct reference_model {
    lifecycle_state s = lifecycle_state::init;
    int active = 0;
    int closes = 0;
};

template <class L>
struct system_under_test {
    int closes = 0;
    L l{close_hook{[](void* c) { ++static_cast<system_under_test*>(c)->closes; }, this}};
};

template <class L>
using command = rc::state::Command<reference_model, system_under_test<L>>;

template <class L>
void check_observation(const reference_model& after, system_under_test<L>& sut) {
    RC_ASSERT(to_string(sut.l.state()) == to_string(after.s));
    RC_ASSERT(sut.closes == after.closes);
    if (after.s == lifecycle_state::closed) sut.l.wait_closed();  // must not block
}

template <class L>
struct start_cmd : command<L> {
    void apply(reference_model& m) const override {
        if (m.s == lifecycle_state::init) m.s = lifecycle_state::running;
    }
    void run(const reference_model& m, system_under_test<L>& sut) const override {
        RC_ASSERT(sut.l.start() == (m.s == lifecycle_state::init));
        auto after = m;
        apply(after);
        check_observation(after, sut);
    }
    void show(std::ostream& os) const override { os << "start()"; }
};

template <class L>
struct try_enter_cmd : command<L> {
    void apply(reference_model& m) const override {
        if (m.s == lifecycle_state::running) ++m.active;
    }
    void run(const reference_model& m, system_under_test<L>& sut) const override {
        RC_ASSERT(sut.l.try_enter() == (m.s == lifecycle_state::running));
        auto after = m;
        apply(after);
        check_observation(after, sut);
    }
    void show(std::ostream& os) const override { os << "try_enter()"; }
};

template <class L>
struct exit_cmd : command<L> {
    void checkPreconditions(const reference_model& m) const override { RC_PRE(m.active > 0); }
    void apply(reference_model& m) const override {
        if (--m.active == 0 && m.s == lifecycle_state::draining) {
            m.s = lifecycle_state::closed;
            ++m.closes;
        }
    }
    void run(const reference_model& m, system_under_test<L>& sut) const override {
        sut.l.exit();
        auto after = m;
        apply(after);
        check_observation(after, sut);
    }
    void show(std::ostream& os) const override { os << "exit()"; }
};

template <class L>
struct drain_cmd : command<L> {
    void apply(reference_model& m) const override {
        if (m.s != lifecycle_state::running) return;
        m.s = lifecycle_state::draining;
        if (m.active == 0) {
            m.s = lifecycle_state::closed;
            ++m.closes;
        }
    }
    void run(const reference_model& m, system_under_test<L>& sut) const override {
        RC_ASSERT(sut.l.drain() == (m.s == lifecycle_state::running));
        auto after = m;
        apply(after);
        check_observation(after, sut);
    }
    void show(std::ostream& os) const override { os << "drain()"; }
};

template <class Entry>
record check_entry() {
    using L = typename Entry::template type<native_world>;
    record r = record_for<Entry>(lifecycle_component);
    r.expected = Entry::expected.property;
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool ok = rc::check(std::string(Entry::name) + " matches the sequential lifecycle model", [] {
        reference_model m;
        system_under_test<L> sut;
        rc::state::check(m, sut,
                         rc::state::gen::execOneOfWithArgs<start_cmd<L>, try_enter_cmd<L>, exit_cmd<L>,
                                                           drain_cmd<L>>());
    });
    std::cerr.rdbuf(old);
    r.got = ok ? verdict::pass : verdict::fail;
    r.detail = ok ? "random command sequences match the reference model"
                  : "counterexample: a command sequence where the entry and the model disagree";
    if (!ok) r.trace = captured.str();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    command_line cl("lifecycle_property",
                    "Checks every lifecycle catalogue entry against the sequential reference model.\n"
                    "Replay with RC_PARAMS=\"seed=N\"; results go to $GAUNTLET_RESULTS_DIR.");
    if (const int status = cl.parse(argc, argv); status >= 0) return status;
    verdict_log log("property");
    for_each_entry(lifecycle_catalogue{}, [&]<class E>() { log.add(check_entry<E>()); });
    return log.exit_status();
}
