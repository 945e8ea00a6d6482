// RapidCheck model-based check of one queue type against a sequential
// std::deque (used by queue_model_property.cpp and queue_asan.cpp, and by the
// unit test that shows it failing on deliberately broken stand-ins).
//
// Commands, run on one thread against the queue and the model:
//   push(v)   try_push must succeed unless the model is at the bound, then fail
//   pop       try_pop must return the model's oldest item, or fail when empty
//   fill      bounded: push until the model is full, then one push that must
//             fail; unbounded: push 600 items (crosses ring and node
//             boundaries: ReaderWriterQueue's rings, Ramalhete's 512-slot nodes)
//   drain     pop until the model is empty, then one pop that must fail
// A failing sequence is shrunk to a minimal counterexample; RapidCheck's
// report (which it writes to std::cerr) is captured and returned.
#pragma once

#include <cstdint>
#include <deque>
#include <iostream>
#include <sstream>
#include <string>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::queue_model_check {


using gauntlet::bound_in_force;
using item = std::uint64_t;

constexpr std::size_t requested_capacity = 8;
constexpr std::size_t unbounded_fill = 600;

struct queue_model {
    std::deque<item> items;
    std::size_t capacity = 0;  // 0: unbounded
    bool full() const { return capacity != 0 && items.size() >= capacity; }
};

template <class Q>
using command = rc::state::Command<queue_model, Q>;

template <class Q>
struct push_command : command<Q> {
    item value = *rc::gen::inRange<item>(0, item{1} << 40);
    void apply(queue_model& m) const override {
        if (!m.full()) m.items.push_back(value);
    }
    void run(const queue_model& m, Q& q) const override {
        const bool pushed = q.try_push(value);
        RC_ASSERT(pushed == !m.full());
    }
    void show(std::ostream& os) const override { os << "push(" << value << ")"; }
};

template <class Q>
struct pop_command : command<Q> {
    void apply(queue_model& m) const override {
        if (!m.items.empty()) m.items.pop_front();
    }
    void run(const queue_model& m, Q& q) const override {
        item out = ~item{0};
        const bool popped = q.try_pop(out);
        RC_ASSERT(popped == !m.items.empty());
        if (popped) RC_ASSERT(out == m.items.front());
    }
    void show(std::ostream& os) const override { os << "pop"; }
};

template <class Q>
struct fill_command : command<Q> {
    item base = *rc::gen::inRange<item>(0, item{1} << 40);
    std::size_t count(const queue_model& m) const {
        return m.capacity != 0 ? m.capacity - m.items.size() : unbounded_fill;
    }
    void apply(queue_model& m) const override {
        const std::size_t n = count(m);
        for (std::size_t i = 0; i < n; ++i) m.items.push_back(base + i);
    }
    void run(const queue_model& m, Q& q) const override {
        const std::size_t n = count(m);
        for (std::size_t i = 0; i < n; ++i) RC_ASSERT(q.try_push(base + i));
        if (m.capacity != 0) RC_ASSERT(!q.try_push(base + n));  // at the bound: full
    }
    void show(std::ostream& os) const override { os << "fill(from " << base << ")"; }
};

template <class Q>
struct drain_command : command<Q> {
    void apply(queue_model& m) const override { m.items.clear(); }
    void run(const queue_model& m, Q& q) const override {
        for (item expected : m.items) {
            item out = ~item{0};
            RC_ASSERT(q.try_pop(out));
            RC_ASSERT(out == expected);
        }
        item out = 0;
        RC_ASSERT(!q.try_pop(out));  // emptied: must report empty
    }
    void show(std::ostream& os) const override { os << "drain"; }
};

// Checks Q (bounded or not) against the model under `name`; returns whether
// every generated sequence matched, and RapidCheck's report in `report`.
template <class Q>
bool check_against_model(const std::string& name, bool bounded, std::string& report) {
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool ok = rc::check(name, [bounded] {
        Q q(requested_capacity);
        queue_model m;
        m.capacity = bounded ? bound_in_force(q, requested_capacity) : 0;
        rc::state::check(m, q,
                         rc::state::gen::execOneOfWithArgs<push_command<Q>, pop_command<Q>,
                                                           fill_command<Q>, drain_command<Q>>());
    });
    std::cerr.rdbuf(old);
    report = captured.str();
    return ok;
}

// One catalogue entry's property verdict (the body of queue_model_property
// and of the property part of queue_asan).
template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using Q = typename E::template type<native_world>;
    const std::string params = rc_opts.use(ctx.seed);
    std::string report;
    const bool ok = check_against_model<Q>(std::string(E::name), E::traits.bounded, report);
    const json m = rc_opts.metrics(params);
    return ok ? result::pass("model-based: " + std::to_string(rc_opts.max_success) +
                                 " command sequences matched std::deque",
                             m)
              : result::fail("model-based: shrunk counterexample in trace", report, m);
}

}  // namespace gauntlet::queue_model_check
