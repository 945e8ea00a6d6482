// property check, loop: every loop entry against one sequential reference of
// the ordering rules (primitives/loop/contract.hpp), with RapidCheck.
//
// Part 1, the order. A case is a script: a list of actions, each at top
// level (done on the loop thread before run()) or inside an earlier task
// (done when that task runs, in list order). An action is enqueue,
// next_tick, microtask, immediate, post (from the loop thread), close, timer
// (0 to 3 ms) or cancel (of an earlier timer action). Top-level next ticks
// and microtasks become enqueues (the contract queues them from inside a
// task). The reference runs the script by the contract's rules and gives
// the order in which tasks run, the posts refused and what each cancel
// returned; the entry, run() on this thread, must give the same and return.
// Timers run on virtual time (loop_thread_queues.hpp: the loop advances it
// when it has nothing else to do), so their order is exact; an entry whose
// timers are not the loop clock's (the libuv peer) runs the scripts with
// timer and cancel actions turned into enqueues, and meets timers in
// part 2. A failing script is shrunk; the trace shows it and both outcomes.
//
// Part 2, timers on the real clock (every entry): random trees of timers
// (0 to 3 ms) and cancels run inside timer callbacks; every timer not
// cancelled runs exactly once and no earlier than its delay after it was
// set (measured here, in nanoseconds), a cancelled one never, a cancel
// returns true exactly when its timer was pending, and a timer set no later
// and with no longer a delay than another runs first (equal deadlines in
// the order set). Then libuv's edge cases as fixed scenarios: a timer
// cancelled by a sibling's callback in the same turn; a 0 ms timer re-armed
// in its own callback while an immediate re-queues itself (the contract:
// once per turn, so the immediate runs between any two of its runs); a
// keep-alive reference dropped by a timer callback; a thread posting while
// the loop runs and then unreferencing.
#pragma once

#include <fcntl.h>
#include <rapidcheck.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/loop/catalogue.hpp"
#include "primitives/loop/loop_thread_queues.hpp"
#include "primitives/native_world.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::loop_property {

// Does L's timers run on the loop clock (and so on virtual time)?
template <class L>
inline constexpr bool on_loop_clock = requires { L::timers_on_loop_clock; };

// ------------------------------------------------------------ part 1
enum class act { enqueue, next_tick, microtask, post, close, immediate, timer, cancel, defer };
inline constexpr int n_acts = 9;
inline constexpr const char* act_name[] = {"enqueue",   "next_tick", "microtask", "post",  "close",
                                           "immediate", "timer",     "cancel",    "defer"};
// defer: arg = key (arg % 3: the context it registers under) and repeats
// (arg / 3: how many times its callback returns true before false).

struct action {
    act kind;
    int parent;         // index of the task action inside which this one runs; -1: top level
    unsigned arg = 0;   // timer: delay in ms; cancel: the timer action it cancels
};

using raw_script = std::vector<std::tuple<std::uint8_t, std::uint8_t, std::uint8_t>>;

// Raw generated triples -> a well-formed script (shrinks with the vector).
inline std::vector<action> script_of(const raw_script& raw, bool timers) {
    std::vector<action> s;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto [k, p, x] = raw[i];
        action a{static_cast<act>(k % n_acts), static_cast<int>(p % (i + 1)) - 1, 0};
        if (a.parent >= 0 && s[static_cast<std::size_t>(a.parent)].kind == act::close) a.parent = -1;
        if (a.parent >= 0 && s[static_cast<std::size_t>(a.parent)].kind == act::cancel) a.parent = -1;
        if (a.parent >= 0 && s[static_cast<std::size_t>(a.parent)].kind == act::defer) a.parent = -1;
        if (a.kind == act::defer) a.arg = x % 9;
        if (a.parent < 0 && (a.kind == act::next_tick || a.kind == act::microtask)) a.kind = act::enqueue;
        if (!timers && (a.kind == act::timer || a.kind == act::cancel)) a.kind = act::enqueue;
        if (a.kind == act::timer) a.arg = x % 4;
        if (a.kind == act::cancel) {
            int target = -1;
            for (int j = static_cast<int>(x % (i + 1)) - 1; j >= 0 && target < 0; --j)
                if (s[static_cast<std::size_t>(j)].kind == act::timer) target = j;
            if (target < 0)
                a.kind = act::enqueue;
            else
                a.arg = static_cast<unsigned>(target);
        }
        s.push_back(a);
    }
    return s;
}

inline std::string show(const std::vector<action>& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        out += "  #" + std::to_string(i) + " " + act_name[static_cast<int>(s[i].kind)];
        if (s[i].kind == act::timer) out += " " + std::to_string(s[i].arg) + " ms";
        if (s[i].kind == act::cancel) out += " #" + std::to_string(s[i].arg);
        if (s[i].kind == act::defer)
            out += " key " + std::to_string(s[i].arg % 3) + ", true " + std::to_string(s[i].arg / 3) + " times";
        out += (s[i].parent < 0 ? " (top level)" : " (inside #" + std::to_string(s[i].parent) + ")") + "\n";
    }
    return out;
}

struct outcome {
    std::vector<int> ran;                      // task actions, in the order they ran
    std::vector<int> refused;                  // post actions refused
    std::vector<std::pair<int, bool>> cancels; // cancel actions and what they returned
    std::vector<std::pair<int, bool>> defers;  // defer actions and what they returned
    bool operator==(const outcome&) const = default;
};

inline std::string show(const std::vector<int>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? " #" : "#") + std::to_string(v[i]);
    return out + "]";
}
inline std::string show(const outcome& o) {
    std::string out = "ran " + show(o.ran) + ", refused " + show(o.refused) + ", cancels [";
    for (std::size_t i = 0; i < o.cancels.size(); ++i)
        out += (i ? " #" : "#") + std::to_string(o.cancels[i].first) + (o.cancels[i].second ? ":true" : ":false");
    out += "], defers [";
    for (std::size_t i = 0; i < o.defers.size(); ++i)
        out += (i ? " #" : "#") + std::to_string(o.defers[i].first) + (o.defers[i].second ? ":true" : ":false");
    return out + "]";
}

// The contract's rules, executed sequentially, on virtual time.
inline outcome reference(const std::vector<action>& s) {
    outcome o;
    std::deque<int> fifo, posted, ticks, micros, immediates;
    struct timer {
        std::uint64_t deadline, seq;
        int action;
        bool pending;
    };
    std::vector<timer> timers;
    std::uint64_t now = 0, seq = 0;
    bool closed = false;
    struct deferred {
        unsigned key;
        int action;
        unsigned runs, repeats;
    };
    std::vector<deferred> defq;
    auto perform = [&](int i) {
        const action& a = s[static_cast<std::size_t>(i)];
        switch (a.kind) {
            case act::enqueue: fifo.push_back(i); break;
            case act::next_tick: ticks.push_back(i); break;
            case act::microtask: micros.push_back(i); break;
            case act::immediate: immediates.push_back(i); break;
            case act::post:
                if (closed)
                    o.refused.push_back(i);
                else
                    posted.push_back(i);
                break;
            case act::close: closed = true; break;
            case act::timer: timers.push_back({now + a.arg, seq++, i, true}); break;
            case act::cancel: {
                bool r = false;
                for (timer& t : timers)
                    if (t.action == static_cast<int>(a.arg) && t.pending) t.pending = false, r = true;
                o.cancels.emplace_back(i, r);
                break;
            }
            case act::defer: {
                bool fresh = true;
                for (const deferred& d : defq) fresh = fresh && d.key != a.arg % 3;
                if (fresh) defq.push_back({a.arg % 3, i, 0, a.arg / 3});
                o.defers.emplace_back(i, fresh);
                break;
            }
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
    auto drain_queues = [&] {
        do {
            while (!ticks.empty()) run_task(pop(ticks));
            while (!micros.empty()) run_task(pop(micros));
        } while (!ticks.empty());
    };
    auto drain = [&] {
        drain_queues();
        if (defq.empty()) return;
        const std::size_t n = defq.size();
        std::vector<deferred> kept;
        for (std::size_t k = 0; k < n; ++k) {
            deferred d = defq[k];
            o.ran.push_back(d.action);  // a deferred callback has no children
            if (++d.runs <= d.repeats) kept.push_back(d);
        }
        kept.insert(kept.end(), defq.begin() + static_cast<std::ptrdiff_t>(n), defq.end());
        defq.swap(kept);
        drain_queues();
    };
    auto earliest = [&](std::uint64_t seq_limit) -> timer* {
        timer* best = nullptr;
        for (timer& t : timers)
            if (t.pending && t.seq < seq_limit &&
                (best == nullptr || std::tie(t.deadline, t.seq) < std::tie(best->deadline, best->seq)))
                best = &t;
        return best;
    };
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i].parent < 0) perform(static_cast<int>(i));
    for (;;) {
        const std::uint64_t set_before = seq;  // the timer phase
        for (timer* t = earliest(set_before); t != nullptr && t->deadline <= now; t = earliest(set_before)) {
            t->pending = false;
            run_task(t->action);
            drain();
        }
        fifo.insert(fifo.end(), posted.begin(), posted.end());  // the task phase
        posted.clear();
        while (!fifo.empty()) {
            run_task(pop(fifo));
            drain();
        }
        std::deque<int> these;  // the immediate phase
        these.swap(immediates);
        for (int t : these) {
            run_task(t);
            drain();
        }
        if (!fifo.empty() || !immediates.empty() || !posted.empty()) continue;
        if (const timer* t = earliest(seq)) {
            now = std::max(now, t->deadline);
            continue;
        }
        return o;
    }
}

// The same script against loop type L: action i, when it is a task, is
// slot i's run().
template <class L>
class script_runner {
public:
    explicit script_runner(const std::vector<action>& s) : s_(s), slots_(s.size()), ids_(s.size()) {
        for (std::size_t i = 0; i < s.size(); ++i) slots_[i] = {this, static_cast<int>(i)};
    }
    outcome run() {
        virtual_time vt;
        loop_clock::installed() = &vt;
        for (std::size_t i = 0; i < s_.size(); ++i)
            if (s_[i].parent < 0) perform(i);
        loop_.run();
        loop_clock::installed() = nullptr;
        return out_;
    }

private:
    struct slot {
        script_runner* r;
        int index;
    };
    struct key_slot {
        script_runner* r;
        int action = -1;
        unsigned runs = 0, repeats = 0;
    };
    static bool run_deferred(void* p) {
        key_slot& k = *static_cast<key_slot*>(p);
        k.r->out_.ran.push_back(k.action);
        return ++k.runs <= k.repeats;
    }
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
            case act::immediate: loop_.immediate(t); break;
            case act::post:
                if (loop_.post(t) == post_status::refused) out_.refused.push_back(static_cast<int>(i));
                break;
            case act::close: loop_.close(); break;
            case act::timer: ids_[i] = loop_.set_timer(s_[i].arg, t); break;
            case act::cancel: {
                const auto& id = ids_[s_[i].arg];
                out_.cancels.emplace_back(static_cast<int>(i), id ? loop_.cancel_timer(*id) : false);
                break;
            }
            case act::defer: {
                key_slot& k = keys_[s_[i].arg % 3];
                k.r = this;
                const bool fresh = loop_.defer(deferred_task{&run_deferred, &k});
                if (fresh) k.action = static_cast<int>(i), k.runs = 0, k.repeats = s_[i].arg / 3;
                out_.defers.emplace_back(static_cast<int>(i), fresh);
                break;
            }
        }
    }
    using id_type = decltype(std::declval<L&>().set_timer(0, task{}));

    const std::vector<action>& s_;
    std::vector<slot> slots_;
    key_slot keys_[3];
    std::vector<std::optional<id_type>> ids_;
    L loop_;
    outcome out_;
};

// ------------------------------------------------------------ part 2
struct timer_op {
    int parent;        // -1: top level, else the timer op in whose callback this runs
    bool cancel;       // else set a timer
    unsigned arg;      // delay in ms, or the timer op cancelled
};

inline std::vector<timer_op> timer_script_of(const raw_script& raw) {
    std::vector<timer_op> s;
    for (std::size_t i = 0; i < raw.size() && i < 24; ++i) {
        const auto [k, p, x] = raw[i];
        timer_op op{static_cast<int>(p % (i + 1)) - 1, k % 3 == 0, x % 4u};
        if (op.parent >= 0 && s[static_cast<std::size_t>(op.parent)].cancel) op.parent = -1;
        if (op.cancel) {
            int target = -1;
            for (int j = static_cast<int>(x % (i + 1)) - 1; j >= 0 && target < 0; --j)
                if (!s[static_cast<std::size_t>(j)].cancel) target = j;
            if (target < 0 || op.parent < 0) op.cancel = false, op.arg = x % 4u;  // cancels run in callbacks
            else op.arg = static_cast<unsigned>(target);
        }
        s.push_back(op);
    }
    return s;
}

inline std::string show(const std::vector<timer_op>& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
        out += "  #" + std::to_string(i) + (s[i].cancel ? " cancel #" : " timer ") + std::to_string(s[i].arg) +
               (s[i].cancel ? "" : " ms") +
               (s[i].parent < 0 ? " (top level)" : " (in #" + std::to_string(s[i].parent) + "'s callback)") + "\n";
    return out;
}

inline std::uint64_t real_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

// Runs a timer script on L with the real clock; returns what is wrong with
// it (empty: nothing).
template <class L>
class timer_runner {
public:
    explicit timer_runner(const std::vector<timer_op>& s) : s_(s), slots_(s.size()), st_(s.size()) {
        for (std::size_t i = 0; i < s.size(); ++i) slots_[i] = {this, static_cast<int>(i)};
    }
    std::string run() {
        for (std::size_t i = 0; i < s_.size(); ++i)
            if (s_[i].parent < 0) perform(i);
        loop_.run();
        std::ostringstream bad;
        for (std::size_t i = 0; i < s_.size(); ++i) {
            const state& t = st_[i];
            if (s_[i].cancel) continue;
            if (t.set && !t.cancelled && t.fired != 1)
                bad << "timer #" << i << " was set and not cancelled but ran " << t.fired << " times\n";
            if (t.cancelled && t.fired != 0) bad << "timer #" << i << " was cancelled but ran\n";
            if (!t.set && t.fired != 0) bad << "timer #" << i << " ran without being set\n";
            if (t.fired == 1 && t.fired_ns < t.set_ns + s_[i].arg * 1'000'000ull)
                bad << "timer #" << i << " (" << s_[i].arg << " ms) ran " << (t.fired_ns - t.set_ns) / 1000
                    << " us after it was set: early\n";
        }
        for (std::size_t a = 0; a < s_.size(); ++a)
            for (std::size_t b = 0; b < s_.size(); ++b) {
                const state &x = st_[a], &y = st_[b];
                if (s_[a].cancel || s_[b].cancel || x.fired != 1 || y.fired != 1) continue;
                if (x.set_order < y.set_order && s_[a].arg <= s_[b].arg && x.fire_order > y.fire_order)
                    bad << "timer #" << a << " (" << s_[a].arg << " ms, set " << x.set_order << "th) ran after #"
                        << b << " (" << s_[b].arg << " ms, set " << y.set_order << "th)\n";
            }
        bad << cancels_.str();
        return bad.str();
    }

private:
    struct slot {
        timer_runner* r;
        int index;
    };
    struct state {
        bool set = false, cancelled = false;
        int fired = 0, set_order = 0, fire_order = 0;
        std::uint64_t set_ns = 0, fired_ns = 0;
    };
    static void on_fire(void* p) {
        const slot& sl = *static_cast<const slot*>(p);
        timer_runner& r = *sl.r;
        state& t = r.st_[static_cast<std::size_t>(sl.index)];
        if (t.fired++ == 0) t.fired_ns = real_ns(), t.fire_order = r.fires_++;
        for (std::size_t i = 0; i < r.s_.size(); ++i)
            if (r.s_[i].parent == sl.index) r.perform(i);
    }
    void perform(std::size_t i) {
        const timer_op& op = s_[i];
        if (!op.cancel) {
            state& t = st_[i];
            t.set = true;
            t.set_order = sets_++;
            t.set_ns = real_ns();
            ids_.resize(s_.size());
            ids_[i] = loop_.set_timer(op.arg, task{&on_fire, &slots_[i]});
            return;
        }
        state& target = st_[op.arg];
        const bool pending = target.set && !target.cancelled && target.fired == 0;
        const bool r = ids_.size() > op.arg && ids_[op.arg] ? loop_.cancel_timer(*ids_[op.arg]) : false;
        if (r != pending)
            cancels_ << "cancel #" << i << " of timer #" << op.arg << " returned " << (r ? "true" : "false")
                     << " while the timer was " << (pending ? "pending" : "not pending") << "\n";
        if (r) target.cancelled = true;
    }
    using id_type = decltype(std::declval<L&>().set_timer(0, task{}));

    const std::vector<timer_op>& s_;
    std::vector<slot> slots_;
    std::vector<state> st_;
    std::vector<std::optional<id_type>> ids_;
    int sets_ = 0, fires_ = 0;
    std::ostringstream cancels_;
    L loop_;
};

// Installs virtual time on this thread for L when L's timers follow the
// loop clock, so the fixed scenarios are exact.
template <class L>
struct virtual_clock_scope {
    virtual_time vt;
    virtual_clock_scope() {
        if constexpr (on_loop_clock<L>) loop_clock::installed() = &vt;
    }
    ~virtual_clock_scope() { loop_clock::installed() = nullptr; }
};

// libuv's edge cases, fixed scenarios; each returns what is wrong (empty:
// nothing). Entries on the loop clock run them on virtual time.
template <class L>
std::string sibling_cancel() {
    struct ctx {
        L loop;
        decltype(std::declval<L&>().set_timer(0, task{})) b{};
        bool cancelled = false;
        int b_ran = 0;
    };
    virtual_clock_scope<L> clock;
    ctx c;
    c.loop.set_timer(1, task{[](void* p) {
                                 auto& x = *static_cast<ctx*>(p);
                                 x.cancelled = x.loop.cancel_timer(x.b);
                             },
                             &c});
    c.b = c.loop.set_timer(1, task{[](void* p) { ++static_cast<ctx*>(p)->b_ran; }, &c});
    c.loop.run();
    if (!c.cancelled) return "a timer's callback cancelled a sibling due in the same turn: cancel returned false\n";
    if (c.b_ran != 0) return "a timer cancelled by a sibling's callback in the same turn ran anyway\n";
    return {};
}

template <class L>
std::string zero_rearm_does_not_starve() {
    struct ctx {
        L loop;
        int timer_runs = 0, immediate_runs = 0, streak = 0, worst = 0;
        int last_seen = -1;
    };
    virtual_clock_scope<L> clock;
    ctx c;
    static constexpr int rounds = 20;
    struct cb {
        static void timer(void* p) {
            auto& x = *static_cast<ctx*>(p);
            x.streak = x.immediate_runs == x.last_seen && x.immediate_runs < rounds ? x.streak + 1 : 0;
            x.worst = std::max(x.worst, x.streak);
            x.last_seen = x.immediate_runs;
            if (++x.timer_runs < rounds) x.loop.set_timer(0, task{&timer, p});
        }
        static void immediate(void* p) {
            auto& x = *static_cast<ctx*>(p);
            if (++x.immediate_runs < rounds) x.loop.immediate(task{&immediate, p});
        }
    };
    c.loop.set_timer(0, task{&cb::timer, &c});
    c.loop.immediate(task{&cb::immediate, &c});
    c.loop.run();
    if (c.worst > 0)
        return "a 0 ms timer re-armed in its own callback ran " + std::to_string(c.worst + 1) +
               " times in a row while an immediate waited (the other phases starve)\n";
    return {};
}

template <class L>
std::string keep_alive() {
    std::string bad;
    virtual_clock_scope<L> clock;
    {
        struct ctx {
            L loop;
            bool dropped = false;
        } c;
        c.loop.ref();
        c.loop.set_timer(2, task{[](void* p) {
                                     auto& x = *static_cast<ctx*>(p);
                                     x.dropped = true;
                                     x.loop.unref();
                                 },
                                 &c});
        c.loop.run();
        if (!c.dropped) bad += "run() returned while a reference was held\n";
    }
    {
        struct ctx {
            L loop;
            int ran = 0;
        } c;
        c.loop.ref();
        std::thread poster([&c] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            for (int i = 0; i < 10; ++i) (void)c.loop.post(task{[](void* p) { ++static_cast<ctx*>(p)->ran; }, &c});
            c.loop.close();
            c.loop.unref();
        });
        c.loop.run();
        poster.join();
        if (c.ran != 10)
            bad += "with a reference held by another thread that then posted 10 tasks, closed and unreferenced, "
                   "run() returned after " + std::to_string(c.ran) + " of them\n";
    }
    return bad;
}

// Failure isolation (contract.hpp, part 2: contain and report): a callback
// that throws in every phase (timer, posted task, FIFO task, next tick,
// microtask, immediate), each beside one that must still run. run() returns
// normally, the six others ran once each, failures() counts six and the
// first exception is kept.
template <class L>
std::string failure_isolation() {
    struct ctx {
        L loop;
        int ran = 0;
    };
    virtual_clock_scope<L> clock;
    ctx c;
    const task ok{[](void* p) { ++static_cast<ctx*>(p)->ran; }, &c};
    const task boom{[](void*) { throw std::runtime_error("a task failed"); }, &c};
    c.loop.set_timer(0, boom);
    c.loop.set_timer(0, ok);
    (void)c.loop.post(boom);
    (void)c.loop.post(ok);
    c.loop.enqueue(boom);
    c.loop.enqueue(ok);
    c.loop.next_tick(boom);
    c.loop.next_tick(ok);
    c.loop.microtask(boom);
    c.loop.microtask(ok);
    c.loop.immediate(boom);
    c.loop.immediate(ok);
    try {
        c.loop.run();
    } catch (const std::exception& e) {
        return std::string("a callback's exception (\"") + e.what() + "\") left run(): " + std::to_string(c.ran) +
               " of the 6 callbacks beside the throwing ones had run\n";
    }
    std::string bad;
    if (c.ran != 6) bad += std::to_string(c.ran) + " of the 6 callbacks beside the throwing ones ran\n";
    if (c.loop.failures() != 6) bad += "failures() is " + std::to_string(c.loop.failures()) + ", 6 callbacks threw\n";
    if (!c.loop.first_failure()) bad += "first_failure() kept no exception\n";
    return bad;
}

// The stall detector: quota 1 ms; a posted task, a microtask and a timer
// callback each busy-wait 3 ms, every other callback returns at once. Each
// of the three is named (its function and argument) with at least 3 ms, and
// nothing else is named.
template <class L>
std::string stall_detector() {
    struct ctx {
        L loop;
    };
    virtual_clock_scope<L> clock;
    ctx c;
    c.loop.set_stall_quota(1'000'000);
    static int tags[3];
    const auto spin = [](void*) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3);
        while (std::chrono::steady_clock::now() < until) {
        }
    };
    const auto quick = [](void*) {};
    (void)c.loop.post(task{spin, &tags[0]});
    c.loop.microtask(task{spin, &tags[1]});
    c.loop.set_timer(0, task{spin, &tags[2]});
    for (int i = 0; i < 5; ++i) {
        (void)c.loop.post(task{quick, &c});
        c.loop.immediate(task{quick, &c});
    }
    c.loop.run();
    std::string bad;
    int named[3] = {};
    for (const loop_stall& s : c.loop.stalls()) {
        const int k = static_cast<int>(static_cast<int*>(s.t.ctx) - tags);
        if (s.t.ctx == &c || k < 0 || k > 2) {
            bad += "a callback that returned at once was named as a stall\n";
            continue;
        }
        if (s.ns < 3'000'000) bad += "a 3 ms stall was recorded as " + std::to_string(s.ns) + " ns\n";
        ++named[k];
    }
    static const char* what[3] = {"a posted task", "a microtask", "a timer callback"};
    for (int k = 0; k < 3; ++k)
        if (named[k] != 1)
            bad += std::string(what[k]) + " that held the loop 3 ms (quota 1 ms) was named " + std::to_string(named[k]) +
                   " times\n";
    return bad;
}

// Fairness (seed 002: "one handler starves all others"). Stated bounds:
//  * while a task re-posts itself (each re-post runs in the next turn), a
//    0 ms timer set and an fd made readable before run() run before its
//    second run: within 1 turn (timers, then I/O, come before tasks);
//  * while a microtask re-queues itself 1000 times, the timer and the fd
//    wait for the whole flood (the contract's drain runs to empty, as Node's
//    does), then run within the same turn: no other bound exists.
// The figures (re-posts and microtasks that ran before each) go to m. The
// fd part needs read_stream (the native basic_loop entries).
template <class L>
std::string fairness(json& m) {
    struct ctx {
        L loop;
        int reposts = 0, micros = 0;
        int timer_at = -1, io_at = -1, timer_micros = -1, io_micros = -1;
        bool flood = false;
    };
    std::string bad;
    for (const bool micro_flood : {false, true}) {
        virtual_clock_scope<L> clock;
        ctx c;
        c.flood = micro_flood;
        int fds[2] = {-1, -1};
        constexpr bool has_io = requires(L& l) { l.read_stream(0, io_trigger::level, io_reader{}); };
        if constexpr (has_io) {
            if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return "fairness: pipe2 failed\n";
            (void)!write(fds[1], "x", 1);
            close(fds[1]);
            c.loop.read_stream(fds[0], io_trigger::level,
                               io_reader{[](void* p, const char*, std::size_t) {
                                             auto& x = *static_cast<ctx*>(p);
                                             if (x.io_at < 0) x.io_at = x.reposts, x.io_micros = x.micros;
                                         },
                                         [](void*, int) {}, &c});
        }
        c.loop.set_timer(0, task{[](void* p) {
                                     auto& x = *static_cast<ctx*>(p);
                                     x.timer_at = x.reposts;
                                     x.timer_micros = x.micros;
                                 },
                                 &c});
        struct cb {
            static void repost(void* p) {
                auto& x = *static_cast<ctx*>(p);
                if (++x.reposts < 50) (void)x.loop.post(task{&repost, p});
            }
            static void micro(void* p) {
                auto& x = *static_cast<ctx*>(p);
                if (++x.micros < 1000) x.loop.microtask(task{&micro, p});
            }
        };
        if (micro_flood)
            c.loop.microtask(task{&cb::micro, &c});
        else
            (void)c.loop.post(task{&cb::repost, &c});
        c.loop.run();
        if (fds[0] >= 0) close(fds[0]);
        const std::string flood = micro_flood ? "microtask flood" : "re-posting task";
        if (!micro_flood) {
            m["fairness_reposts_before_timer"] = c.timer_at;
            if (has_io) m["fairness_reposts_before_io"] = c.io_at;
            if (c.timer_at > 1)
                bad += "a due 0 ms timer ran after " + std::to_string(c.timer_at) + " runs of a " + flood + " (bound: 1)\n";
            if (has_io && c.io_at > 1)
                bad += "a readable fd was read after " + std::to_string(c.io_at) + " runs of a " + flood + " (bound: 1)\n";
        } else {
            m["fairness_microtasks_before_timer"] = c.timer_micros;
            if (has_io) m["fairness_microtasks_before_io"] = c.io_micros;
            if (c.timer_at < 0) bad += "the due timer never ran during or after a " + flood + "\n";
            if (has_io && c.io_at < 0) bad += "the readable fd was never read during or after a " + flood + "\n";
        }
    }
    return bad;
}

// One entry's property verdict (the body of loop_property and of the
// property part of loop_asan).
template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using L = typename E::template type<native_world>;
    constexpr bool virtual_timers = on_loop_clock<L>;
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool order_ok = rc::check(std::string(E::name) + " runs tasks in the contract's order",
                                    [](const raw_script& raw) {
                                        const std::vector<action> s = script_of(raw, virtual_timers);
                                        const outcome want = reference(s);
                                        const outcome got = script_runner<L>(s).run();
                                        RC_LOG() << "script:\n" << show(s) << "reference " << show(want)
                                                 << "\nentry     " << show(got) << "\n";
                                        RC_ASSERT(got == want);
                                    });
    // On the real clock a shrunk script may pass when RapidCheck replays it;
    // the last failing run is kept for the trace.
    std::string last_failure;
    const bool timers_ok = rc::check(std::string(E::name) + " timers on the real clock",
                                     [&last_failure](const raw_script& raw) {
                                         const std::vector<timer_op> s = timer_script_of(raw);
                                         const std::string bad = timer_runner<L>(s).run();
                                         if (!bad.empty()) last_failure = "timer script:\n" + show(s) + bad;
                                         RC_LOG() << "timer script:\n" << show(s) << bad;
                                         RC_ASSERT(bad.empty());
                                     });
    std::cerr.rdbuf(old);
    json m = rc_opts.metrics(params);
    const std::string edges = sibling_cancel<L>() + zero_rearm_does_not_starve<L>() + keep_alive<L>() +
                              failure_isolation<L>() + stall_detector<L>() + fairness<L>(m);
    m["order_scripts_with_timers"] = virtual_timers;
    std::string failed;
    if (!order_ok) failed += "order";
    if (!timers_ok) failed += std::string(failed.empty() ? "" : ", ") + "real-clock timers";
    if (!edges.empty()) failed += std::string(failed.empty() ? "" : ", ") + "edge cases";
    if (failed.empty())
        return result::pass(std::to_string(rc_opts.max_success) + " order scripts" +
                                (virtual_timers ? " (timers on virtual time)" : " (no timers: libuv's clock is its own)") +
                                " ran in the reference order; " + std::to_string(rc_opts.max_success) +
                                " timer scripts and the edge cases held",
                            m);
    if (!timers_ok) last_failure = "last failing real-clock timer script:\n" + last_failure + "\n";
    return result::fail("failed: " + failed + " (shrunk counterexamples in the trace)",
                        edges + (timers_ok ? "" : last_failure) + captured.str(), m);
}

}  // namespace gauntlet::loop_property
