// Property check "property" for every deque in the catalogue: RapidCheck
// command sequences on one thread against a sequential deque model.
//
// The model is a std::deque: push appends at the back (refused at the bound
// for a bounded entry), pop takes the back (owner LIFO), steal takes the
// front (FIFO relative to pushes). Commands:
//   push(v)   push must succeed unless the model is at the bound, then fail
//   pop       pop returns the model's newest item, or false when empty
//   steal     on a non-empty model: success with the oldest item; on an empty
//             one: not success (empty, or abort for an entry whose failed
//             steals are all abort: deque_traits.steal_reports_empty)
//   fill(n)   n pushes in a row (n up to 40): crosses several resizes
// The deque is built with capacity 2 (bounded entries: a bound of 2), so
// resizes (or full) happen within a few commands. A failing sequence is
// shrunk to a minimal counterexample, which is the record's trace.
#pragma once

#include <cstdint>
#include <deque>
#include <iostream>
#include <sstream>
#include <string>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::deque_property {

using item = std::uint64_t;
constexpr std::size_t capacity = 2;

struct model {
    std::deque<item> items;
    std::size_t bound = 0;  // 0: unbounded
    bool full() const { return bound != 0 && items.size() >= bound; }
};

template <class D>
using command = rc::state::Command<model, D>;

// Items are never 0 (a cell no push wrote holds 0: returning it is visible).
inline item gen_item() { return *rc::gen::inRange<item>(1, item{1} << 40); }

template <class D>
struct push_command : command<D> {
    item value = gen_item();
    void apply(model& m) const override {
        if (!m.full()) m.items.push_back(value);
    }
    void run(const model& m, D& d) const override { RC_ASSERT(d.push(value) == !m.full()); }
    void show(std::ostream& os) const override { os << "push(" << value << ")"; }
};

template <class D>
struct pop_command : command<D> {
    void apply(model& m) const override {
        if (!m.items.empty()) m.items.pop_back();
    }
    void run(const model& m, D& d) const override {
        item out = 0;
        const bool got = d.pop(out);
        RC_ASSERT(got == !m.items.empty());
        if (got) RC_ASSERT(out == m.items.back());
    }
    void show(std::ostream& os) const override { os << "pop"; }
};

template <class D, bool ReportsEmpty>
struct steal_command : command<D> {
    void apply(model& m) const override {
        if (!m.items.empty()) m.items.pop_front();
    }
    void run(const model& m, D& d) const override {
        item out = 0;
        const steal_status s = d.steal(out);
        if (m.items.empty()) {
            RC_ASSERT(s != steal_status::success);
            if (ReportsEmpty) RC_ASSERT(s == steal_status::empty);
        } else {
            RC_ASSERT(s == steal_status::success);  // one thread: no race to lose
            RC_ASSERT(out == m.items.front());
        }
    }
    void show(std::ostream& os) const override { os << "steal"; }
};

template <class D>
struct fill_command : command<D> {
    item base = gen_item();
    std::size_t n = *rc::gen::inRange<std::size_t>(1, 40);
    void apply(model& m) const override {
        for (std::size_t i = 0; i < n && !m.full(); ++i) m.items.push_back(base + i);
    }
    void run(const model& m, D& d) const override {
        std::size_t in = m.items.size();
        for (std::size_t i = 0; i < n; ++i) {
            const bool room = m.bound == 0 || in < m.bound;
            RC_ASSERT(d.push(base + i) == room);
            if (room) ++in;
        }
    }
    void show(std::ostream& os) const override { os << "fill(" << n << " from " << base << ")"; }
};

template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using D = typename E::template type<native_world>;
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool ok = rc::check(std::string(E::name), [] {
        D d(capacity);
        model m;
        m.bound = E::traits.bounded ? capacity : 0;
        rc::state::check(m, d,
                         rc::state::gen::execOneOfWithArgs<push_command<D>, pop_command<D>,
                                                           steal_command<D, E::traits.steal_reports_empty>,
                                                           fill_command<D>>());
    });
    std::cerr.rdbuf(old);
    const json mt = rc_opts.metrics(params);
    return ok ? result::pass("model-based: " + std::to_string(rc_opts.max_success) +
                                 " push/pop/steal sequences matched the sequential deque (capacity 2)",
                             mt)
              : result::fail("model-based: shrunk counterexample in trace", captured.str(), mt);
}

}  // namespace gauntlet::deque_property
