// property check, lifecycle: every catalogue entry against one sequential
// reference model, with RapidCheck's stateful testing (random command
// sequences, shrunk to a minimal counterexample on failure).
//
// The reference model is the contract (primitives/lifecycle/contract.hpp)
// executed by one thread: start/try_enter/exit/drain return values, the state
// after every step, the number of close-hook runs, that wait_closed()
// returns once CLOSED, and the safety rule that the close hook never runs
// while a unit is admitted: the SUT counts its admitted units that have not
// yet called exit() and the hook records that count; it must be zero. Each entry's RapidCheck seed derives from --seed; the
// record's replay line reproduces it.
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "primitives/harness/check_program.hpp"
#include "primitives/lifecycle/catalogue.hpp"
#include "primitives/native_world.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::lifecycle_property {

struct reference_model {
    lifecycle_state s = lifecycle_state::init;
    int active = 0;
    int closes = 0;
};

template <class L>
struct system_under_test {
    int closes = 0;
    int in_flight = 0;                // admitted units that have not called exit()
    int in_flight_when_hook_ran = 0;  // the largest in_flight any close-hook run saw
    L l{close_hook{[](void* c) {
                       auto* self = static_cast<system_under_test*>(c);
                       ++self->closes;
                       if (self->in_flight > self->in_flight_when_hook_ran)
                           self->in_flight_when_hook_ran = self->in_flight;
                   },
                   this}};
};

template <class L>
using command = rc::state::Command<reference_model, system_under_test<L>>;

template <class L>
void check_observation(const reference_model& after, system_under_test<L>& sut) {
    // first: the safety rule (the counterexample names it, not the state
    // mismatch that usually follows)
    RC_ASSERT(sut.in_flight_when_hook_ran == 0);
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
        const bool admitted = sut.l.try_enter();
        if (admitted) ++sut.in_flight;
        RC_ASSERT(admitted == (m.s == lifecycle_state::running));
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
        --sut.in_flight;  // the unit's work is done when it calls exit()
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

// One entry's property verdict (the body of lifecycle_property and of the
// property part of lifecycle_asan).
template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using L = typename E::template type<native_world>;
    const std::string params = rc_opts.use(ctx.seed);
    const bool ok = rc::check(std::string(E::name) + " matches the sequential lifecycle model", [] {
        reference_model m;
        system_under_test<L> sut;
        rc::state::check(m, sut,
                         rc::state::gen::execOneOfWithArgs<start_cmd<L>, try_enter_cmd<L>, exit_cmd<L>,
                                                           drain_cmd<L>>());
    });
    const json metrics = rc_opts.metrics(params);
    return ok ? result::pass(std::to_string(rc_opts.max_success) + " random command sequences match the reference model",
                             metrics)
              : result::fail("counterexample: a command sequence where the entry and the model disagree "
                             "(shrunk; in the output)",
                             {}, metrics);
}

}  // namespace gauntlet::lifecycle_property
