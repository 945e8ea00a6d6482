// property check, loop: every loop entry against one sequential reference of
// the ordering rules (primitives/loop/contract.hpp), with RapidCheck.
//
// A case is a script: a list of actions, each at top level (done on the
// loop thread before run()) or inside an earlier task (done when that task
// runs, in list order). An action is enqueue, next_tick, microtask, post
// (from the loop thread) or close. Top-level next ticks and microtasks
// become enqueues (the contract queues them from inside a task). The
// reference runs the script by the contract's rules and gives the order in
// which tasks run and the posts refused; the entry, run() on this thread,
// must give the same order, refuse the same posts and return. A failing
// script is shrunk; the record's trace shows it and both orders.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <deque>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/loop/catalogue.hpp"
#include "primitives/native_world.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::loop_property {

enum class act { enqueue, next_tick, microtask, post, close };
inline constexpr const char* act_name[] = {"enqueue", "next_tick", "microtask", "post", "close"};

struct action {
    act kind;
    int parent;  // index of the task action inside which this one runs; -1: top level
};

// Raw generated pairs -> a well-formed script (shrinks with the vector).
inline std::vector<action> script_of(const std::vector<std::pair<std::uint8_t, std::uint8_t>>& raw) {
    std::vector<action> s;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        action a{static_cast<act>(raw[i].first % 5), static_cast<int>(raw[i].second % (i + 1)) - 1};
        if (a.parent >= 0 && s[static_cast<std::size_t>(a.parent)].kind == act::close) a.parent = -1;
        if (a.parent < 0 && (a.kind == act::next_tick || a.kind == act::microtask)) a.kind = act::enqueue;
        s.push_back(a);
    }
    return s;
}

inline std::string show(const std::vector<action>& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
        out += "  #" + std::to_string(i) + " " + act_name[static_cast<int>(s[i].kind)] +
               (s[i].parent < 0 ? " (top level)" : " (inside #" + std::to_string(s[i].parent) + ")") + "\n";
    return out;
}

struct outcome {
    std::vector<int> ran;      // task actions, in the order they ran
    std::vector<int> refused;  // post actions refused
    bool operator==(const outcome&) const = default;
};

inline std::string show(const std::vector<int>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? " #" : "#") + std::to_string(v[i]);
    return out + "]";
}

// The contract's rules, executed sequentially.
inline outcome reference(const std::vector<action>& s) {
    outcome o;
    std::deque<int> fifo, posted, ticks, micros;
    bool closed = false;
    auto perform = [&](int i) {
        switch (s[static_cast<std::size_t>(i)].kind) {
            case act::enqueue: fifo.push_back(i); break;
            case act::next_tick: ticks.push_back(i); break;
            case act::microtask: micros.push_back(i); break;
            case act::post:
                if (closed)
                    o.refused.push_back(i);
                else
                    posted.push_back(i);
                break;
            case act::close: closed = true; break;
        }
    };
    auto run_task = [&](int t) {
        o.ran.push_back(t);
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i].parent == t) perform(static_cast<int>(i));
    };
    auto pop = [](std::deque<int>& q) {
        const int v = q.front();
        q.pop_front();
        return v;
    };
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i].parent < 0) perform(static_cast<int>(i));
    for (;;) {
        fifo.insert(fifo.end(), posted.begin(), posted.end());
        posted.clear();
        if (fifo.empty()) return o;
        while (!fifo.empty()) {
            run_task(pop(fifo));
            do {
                while (!ticks.empty()) run_task(pop(ticks));
                while (!micros.empty()) run_task(pop(micros));
            } while (!ticks.empty());
        }
    }
}

// The same script against loop type L: action i, when it is a task, is
// slot i's run().
template <class L>
class script_runner {
public:
    explicit script_runner(const std::vector<action>& s) : s_(s), slots_(s.size()) {
        for (std::size_t i = 0; i < s.size(); ++i) slots_[i] = {this, static_cast<int>(i)};
    }
    outcome run() {
        for (std::size_t i = 0; i < s_.size(); ++i)
            if (s_[i].parent < 0) perform(i);
        loop_.run();
        return out_;
    }

private:
    struct slot {
        script_runner* r;
        int index;
    };
    static void run_slot(void* p) {
        const slot& sl = *static_cast<const slot*>(p);
        sl.r->out_.ran.push_back(sl.index);
        for (std::size_t i = 0; i < sl.r->s_.size(); ++i)
            if (sl.r->s_[i].parent == sl.index) sl.r->perform(i);
    }
    void perform(std::size_t i) {
        const task t{&run_slot, &slots_[i]};
        switch (s_[i].kind) {
            case act::enqueue: loop_.enqueue(t); break;
            case act::next_tick: loop_.next_tick(t); break;
            case act::microtask: loop_.microtask(t); break;
            case act::post:
                if (loop_.post(t) == post_status::refused) out_.refused.push_back(static_cast<int>(i));
                break;
            case act::close: loop_.close(); break;
        }
    }

    const std::vector<action>& s_;
    std::vector<slot> slots_;
    L loop_;
    outcome out_;
};

// One entry's property verdict (the body of loop_property and of the
// property part of loop_asan).
template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using L = typename E::template type<native_world>;
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool ok = rc::check(std::string(E::name) + " runs tasks in the contract's order",
                              [](const std::vector<std::pair<std::uint8_t, std::uint8_t>>& raw) {
                                  const std::vector<action> s = script_of(raw);
                                  const outcome want = reference(s);
                                  const outcome got = script_runner<L>(s).run();
                                  RC_LOG() << "script:\n" << show(s) << "reference ran " << show(want.ran)
                                           << ", refused " << show(want.refused) << "\nentry ran     "
                                           << show(got.ran) << ", refused " << show(got.refused) << "\n";
                                  RC_ASSERT(got == want);
                              });
    std::cerr.rdbuf(old);
    const json m = rc_opts.metrics(params);
    return ok ? result::pass(std::to_string(rc_opts.max_success) + " scripts ran in the reference order", m)
              : result::fail("a script whose order differs from the reference (shrunk; in the trace)", captured.str(),
                             m);
}

}  // namespace gauntlet::loop_property
