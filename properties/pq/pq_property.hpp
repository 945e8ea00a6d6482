// Property check "property" for every priority queue in the catalogue:
// RapidCheck command sequences on one thread against a sequential priority
// queue, and an exact measurement of the rank error.
//
// Commands (two producers, priorities 0..7 so that ties are frequent):
//   push(p, priority)  producer p pushes; its payload is (p << 32 | p's count)
//   flush(p)           producer p publishes what it buffered
//   pop                the consumer's try_pop
// The model is every item pushed and not yet popped (a pushed item is present
// from push's return, buffered or not: the contract's linearization point).
// Each pop is judged against it:
//   - false only when the model is empty (every entry);
//   - the item returned is in the model (nothing invented, nothing twice);
//   - strict entries: no item of the model has a higher priority (rank 0);
//     relaxed entries with a bound: the rank is at most the bound;
//   - fifo_among_equal: no earlier item of the same producer and priority
//     is in the model.
// After the sequence both producers flush and the consumer drains: the same
// judgement per pop, then the model must be empty (nothing lost). A failing
// sequence is shrunk; the shrunk sequence and the broken rule are the trace.
//
// Rank error, exactly: the same judge on one longer deterministic sequence
// drawn from the entry's seed (4000 commands, priorities 0..63, one producer
// flushing only at the end: what a buffering entry makes of it is part of
// its figure), recording the rank of every pop in the record's metrics
// (rank_error: pops, mean, max, p50, p99, share of pops with rank 0).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pq/catalogue.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::pq_property {

enum class op { push, pop, flush };

struct cmd {
    op what = op::pop;
    unsigned producer = 0;
    std::uint32_t priority = 0;
};

inline std::ostream& operator<<(std::ostream& os, const cmd& c) {
    if (c.what == op::push) return os << "push(p" << c.producer << ", " << c.priority << ")";
    if (c.what == op::flush) return os << "flush(p" << c.producer << ")";
    return os << "pop";
}

// The sequential judge: the model and the rules above. Every violation is
// a message (empty: none).
class judge {
public:
    explicit judge(const pq_traits& t) : traits_(t) {}

    pq_item pushed(unsigned p, std::uint32_t priority) {
        const pq_item v{priority, (std::uint64_t{p} << 32) | count_[p]++};
        live_.push_back(v);
        return v;
    }

    // The answer of one try_pop; `rank` gets the pop's rank error.
    std::string popped(bool got, const pq_item& out, std::size_t& rank) {
        rank = 0;
        if (!got) return live_.empty() ? "" : "try_pop reported empty with " + std::to_string(live_.size()) +
                                                      " items pushed and not popped";
        const auto it = std::find_if(live_.begin(), live_.end(), [&](const pq_item& v) {
            return v.payload == out.payload && v.priority == out.priority;
        });
        if (it == live_.end())
            return "try_pop returned (" + show(out) + "), which is not in the queue (never pushed, or popped before)";
        std::uint32_t top = 0;
        for (const auto& v : live_) {
            top = std::max(top, v.priority);
            if (v.priority > out.priority) ++rank;
        }
        std::string broken;
        if (traits_.order == pq_order::strict && rank > 0)
            broken = "strict pop returned priority " + std::to_string(out.priority) + " with " + std::to_string(rank) +
                     " higher items present (highest " + std::to_string(top) + ")";
        else if (traits_.order == pq_order::relaxed && traits_.rank_bound != no_bound && rank > traits_.rank_bound)
            broken = "rank error " + std::to_string(rank) + " above the bound " + std::to_string(traits_.rank_bound);
        if (broken.empty() && traits_.fifo_among_equal)
            for (const auto& v : live_)
                if (v.priority == out.priority && (v.payload >> 32) == (out.payload >> 32) && v.payload < out.payload)
                    broken = "popped (" + show(out) + ") before (" + show(v) +
                             ") of the same producer and priority, pushed earlier";
        live_.erase(it);
        return broken;
    }

    bool empty() const { return live_.empty(); }
    std::size_t size() const { return live_.size(); }

    static std::string show(const pq_item& v) {
        return "priority " + std::to_string(v.priority) + ", p" + std::to_string(v.payload >> 32) + " #" +
               std::to_string(v.payload & 0xffffffffu);
    }

private:
    pq_traits traits_;
    std::vector<pq_item> live_;
    std::uint64_t count_[2] = {0, 0};
};

inline rc::Gen<cmd> gen_cmd() {
    return rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 6), rc::gen::inRange(0u, 2u), rc::gen::inRange(0u, 8u)),
                        [](const std::tuple<int, unsigned, unsigned>& t) {
                            const int k = std::get<0>(t);
                            return cmd{k < 3 ? op::push : k < 5 ? op::pop : op::flush, std::get<1>(t),
                                       std::get<2>(t)};
                        });
}

// Runs one sequence; returns the first violation (empty: none).
template <class Q>
std::string run_sequence(const pq_traits& traits, const std::vector<cmd>& cmds) {
    Q q(2);
    judge j(traits);
    std::size_t rank = 0;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
        const cmd& c = cmds[i];
        if (c.what == op::push) {
            q.push(c.producer, j.pushed(c.producer, c.priority));
        } else if (c.what == op::flush) {
            q.flush(c.producer);
        } else {
            pq_item out;
            const bool got = q.try_pop(out);
            if (auto e = j.popped(got, out, rank); !e.empty()) return "command " + std::to_string(i) + ": " + e;
        }
    }
    q.flush(0);
    q.flush(1);
    for (std::size_t n = 0;; ++n) {
        pq_item out;
        const bool got = q.try_pop(out);
        if (!got && j.empty()) return {};
        if (auto e = j.popped(got, out, rank); !e.empty()) return "drain after flushing both producers: " + e;
        if (!got) return "drain: " + std::to_string(j.size()) + " items never returned (lost)";
    }
}

// Rank error of one deterministic sequential workload (see above).
template <class Q>
json rank_error(std::uint64_t seed) {
    Q q(2);
    judge j(pq_traits{pq_order::relaxed, no_bound, false});  // measure, judge nothing but exactly-once
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> ranks;
    std::size_t rank = 0, empty_with_items = 0;
    std::string broken;
    auto pop = [&] {
        pq_item out;
        const bool got = q.try_pop(out);
        if (!got && !j.empty()) ++empty_with_items;
        if (!got) return;
        if (auto e = j.popped(got, out, rank); !e.empty() && broken.empty()) broken = e;
        ranks.push_back(rank);
    };
    for (int i = 0; i < 4000; ++i) {
        if (rng() % 5 < 3)
            q.push(0, j.pushed(0, static_cast<std::uint32_t>(rng() % 64)));
        else
            pop();
    }
    q.flush(0);
    while (!j.empty() && broken.empty()) {
        const std::size_t before = ranks.size();
        pop();
        if (ranks.size() == before) break;
    }
    std::sort(ranks.begin(), ranks.end());
    json m;
    m["pops"] = ranks.size();
    double sum = 0;
    std::size_t zero = 0;
    for (auto r : ranks) {
        sum += static_cast<double>(r);
        zero += r == 0;
    }
    m["mean"] = ranks.empty() ? 0.0 : sum / static_cast<double>(ranks.size());
    m["max"] = ranks.empty() ? 0 : ranks.back();
    m["p50"] = ranks.empty() ? 0 : ranks[ranks.size() / 2];
    m["p99"] = ranks.empty() ? 0 : ranks[ranks.size() * 99 / 100];
    m["exact_share"] = ranks.empty() ? 1.0 : static_cast<double>(zero) / static_cast<double>(ranks.size());
    m["empty_with_items"] = empty_with_items;
    m["priorities"] = 64;
    if (!broken.empty()) m["broken"] = broken;
    return m;
}

template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using Q = typename E::template type<native_world>;
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool ok = rc::check(std::string(E::name), [] {
        const auto cmds = *rc::gen::container<std::vector<cmd>>(gen_cmd());
        const std::string e = run_sequence<Q>(E::traits, cmds);
        if (!e.empty()) RC_FAIL(e);
    });
    std::cerr.rdbuf(old);
    json mt = rc_opts.metrics(params);
    mt["rank_error"] = rank_error<Q>(ctx.seed);
    const std::string promise = E::traits.order == pq_order::strict ? "strict" : "relaxed";
    return ok ? result::pass("model-based: " + std::to_string(rc_opts.max_success) +
                                 " push/pop/flush sequences held the " + promise +
                                 " promise against a sequential priority queue",
                             mt)
              : result::fail("model-based (" + promise + "): shrunk counterexample in trace", captured.str(), mt);
}

}  // namespace gauntlet::pq_property
