// Records concurrent histories of small random scenarios on real threads,
// for the linearizability checker: queues (random_scenario) and
// work-stealing deques (random_deque_scenario).
//
// A scenario is a script per thread (2–3 threads, 3–5 operations each) plus
// an optional pre-fill done before the threads start and a drain after they
// finish (thread -1 and -2 in the history). Queue scripts respect the
// queue's multiplicity: a single-producer queue gets one pushing thread, a
// single-consumer queue one popping thread. Pushed values are unique within a
// scenario. How a scripted step calls the object is the recorder's `Calls`
// parameter (queue_calls: try_push / try_pop; deque_calls: push / pop /
// steal); the pre-fill is a push and the drain a pop, by the set-up thread,
// which the workers' start and finish counters order before and after them.
//
// The worker threads persist across scenarios (thread creation would spread
// them apart by tens of microseconds): per scenario they meet at a spinning
// start barrier and run their script back to back, so operations overlap.
// Worker i is pinned to CPU i (modulo the CPUs available, bench/pin.hpp):
// left to the scheduler, two workers often share one core and then never
// overlap. Timestamps come from op_clock (primitives/queues/op_clock.hpp):
// the core's invariant TSC read with RDTSCP before each call and after its
// return (with the fences that make the stamps bracket the operation, and
// no shared counter between the threads): if a's response stamp is below
// b's invocation stamp, a really returned, its stores visible, before b was
// called.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "bench/pin.hpp"
#include "linearizability_checker.hpp"
#include "primitives/deque/contract.hpp"
#include "primitives/queues/contract.hpp"
#include "primitives/queues/op_clock.hpp"
#include "primitives/queues/roles.hpp"

namespace gauntlet::linearizability {

struct scripted_op {
    op_kind kind;
    std::uint64_t value;  // for pushes
    unsigned delay;       // busy-wait iterations before the call (jitter)
};

struct scenario {
    std::vector<std::uint64_t> prefill;
    std::vector<std::vector<scripted_op>> scripts;  // one per thread
};

// A random scenario for a queue with traits `t` and bound `capacity`.
inline scenario random_scenario(const queue_traits& t, std::size_t capacity, std::mt19937_64& rng) {
    scenario s;
    std::uint64_t next_value = 1;
    // Roles from roles_for (primitives/queues/roles.hpp), the one mapping
    // from multiplicity to threads: a side with one thread there has one
    // thread here (thread 1 the only pusher, thread 0 the only popper); a
    // multi side lets every thread of the 2-3 take that role.
    const queue_roles roles = roles_for(t, 2, 2);
    const bool one_producer = roles.producers == 1, one_consumer = roles.consumers == 1;
    const std::size_t threads = one_producer && one_consumer ? 2 : 2 + rng() % 2;
    // Pre-fill up to the bound (when small) so full/empty edges are crossed.
    std::size_t fill_limit = t.bounded ? std::min<std::size_t>(capacity, 4) : 3;
    std::size_t prefill = rng() % (fill_limit + 1);
    if (t.bounded && capacity <= 4 && rng() % 3 == 0) prefill = capacity;
    for (std::size_t i = 0; i < prefill; ++i) s.prefill.push_back(next_value++);
    s.scripts.resize(threads);
    for (std::size_t th = 0; th < threads; ++th) {
        const bool may_push = one_producer ? th == 1 : true;
        const bool may_pop = one_consumer ? th == 0 : true;
        const std::size_t ops = 3 + rng() % 3;
        for (std::size_t i = 0; i < ops; ++i) {
            bool push = may_push && (!may_pop || rng() % 2 == 0);
            // Jitter: most calls start at once, some after a short pause, so
            // different threads' calls overlap at varying offsets.
            const unsigned delay = rng() % 4 == 0 ? static_cast<unsigned>(rng() % 64) : 0;
            if (push)
                s.scripts[th].push_back({op_kind::push, next_value++, delay});
            else
                s.scripts[th].push_back({op_kind::pop, 0, delay});
        }
    }
    return s;
}

// A random scenario for a work-stealing deque of bound `capacity` (when
// `bounded`): thread 0 is the owner (3–5 pushes and pops, half each), threads
// 1 and, in half the scenarios, 2 are thieves (3–5 steals each). The pre-fill
// (0–3 items; a bounded deque sometimes filled to its bound) is pushed by the
// set-up thread before the owner starts.
inline scenario random_deque_scenario(bool bounded, std::size_t capacity, std::mt19937_64& rng) {
    scenario s;
    std::uint64_t next_value = 1;
    const std::size_t threads = 2 + rng() % 2;
    const std::size_t fill_limit = bounded ? std::min<std::size_t>(capacity, 3) : 3;
    std::size_t prefill = rng() % (fill_limit + 1);
    if (bounded && capacity <= 4 && rng() % 3 == 0) prefill = capacity;
    for (std::size_t i = 0; i < prefill; ++i) s.prefill.push_back(next_value++);
    s.scripts.resize(threads);
    for (std::size_t th = 0; th < threads; ++th) {
        const std::size_t ops = 3 + rng() % 3;
        for (std::size_t i = 0; i < ops; ++i) {
            const unsigned delay = rng() % 4 == 0 ? static_cast<unsigned>(rng() % 64) : 0;
            if (th != 0)
                s.scripts[th].push_back({op_kind::steal, 0, delay});
            else if (rng() % 2 == 0)
                s.scripts[th].push_back({op_kind::push, next_value++, delay});
            else
                s.scripts[th].push_back({op_kind::pop, 0, delay});
        }
    }
    return s;
}

// One scripted step on a queue: fills op.ok and, for a pop, op.value.
struct queue_calls {
    template <class Q>
    static void call(Q& q, operation& op) {
        if (op.kind == op_kind::push) {
            op.ok = q.try_push(op.value);
        } else {
            std::uint64_t out = 0;
            op.ok = q.try_pop(out);
            op.value = op.ok ? out : 0;
        }
    }
};

// One scripted step on a work-stealing deque (contract.hpp): push and pop
// are the owner's, steal a thief's.
struct deque_calls {
    template <class D>
    static void call(D& d, operation& op) {
        std::uint64_t out = 0;
        switch (op.kind) {
            case op_kind::push: op.ok = d.push(op.value); return;
            case op_kind::pop:
                op.ok = d.pop(out);
                op.value = op.ok ? out : 0;
                return;
            case op_kind::steal: {
                const steal_status s = d.steal(out);
                op.ok = s == steal_status::success;
                op.aborted = s == steal_status::abort;
                op.value = op.ok ? out : 0;
                return;
            }
        }
    }
};

// Runs scenarios on a fixed set of worker threads and returns the histories.
template <class Q, class Calls = queue_calls>
class history_recorder {
public:
    explicit history_recorder(std::size_t max_threads) : workers_count_(max_threads) {
        for (std::size_t i = 0; i < max_threads; ++i) workers_.emplace_back([this, i] { work(i); });
    }
    ~history_recorder() {
        stop_.store(true);
        round_.fetch_add(1);
        for (auto& w : workers_) w.join();
    }
    history_recorder(const history_recorder&) = delete;
    history_recorder& operator=(const history_recorder&) = delete;

    history run(const scenario& s, std::size_t capacity) {
        object_ = std::make_unique<Q>(capacity);
        scenario_ = &s;
        const std::size_t active = s.scripts.size();
        logs_.assign(active, {});
        history h;
        for (auto v : s.prefill) {
            operation op{-1, op_kind::push, v};
            op.invoke = op_clock::invoke();
            Calls::call(*object_, op);
            op.response = op_clock::response();
            h.push_back(op);
        }
        arrived_.store(0);
        finished_.store(0);
        active_.store(active);
        round_.fetch_add(1);  // releases the workers
        while (finished_.load() < workers_count_) std::this_thread::yield();
        for (auto& log : logs_) h.insert(h.end(), log.begin(), log.end());
        // Drain after the threads are done, so lost and phantom items show.
        for (;;) {
            operation op{-2, op_kind::pop};
            op.invoke = op_clock::invoke();
            Calls::call(*object_, op);
            op.response = op_clock::response();
            h.push_back(op);
            if (!op.ok || op.value == 0 || h.size() >= max_operations) break;  // 0: see work()
        }
        object_.reset();
        return h;
    }

private:
    static void pause() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#else
        std::this_thread::yield();
#endif
    }

    void work(std::size_t index) {
        pin_current_thread(static_cast<unsigned>(index));
        std::uint64_t seen = 0;
        for (;;) {
            while (round_.load() == seen) std::this_thread::yield();
            seen = round_.load();
            if (stop_.load()) return;
            const std::size_t active = active_.load();
            if (index < active) {
                arrived_.fetch_add(1);
                // Start together: spin (tens of microseconds), then yield, as
                // there may be more threads than cores.
                for (int spins = 0; arrived_.load() < active; ++spins)
                    if (spins > 20000) std::this_thread::yield();
                auto& log = logs_[index];
                for (const auto& step : scenario_->scripts[index]) {
                    for (unsigned d = 0; d < step.delay; ++d) pause();
                    operation op{static_cast<int>(index), step.kind, step.value};
                    op.invoke = op_clock::invoke();
                    Calls::call(*object_, op);
                    op.response = op_clock::response();
                    log.push_back(op);
                    // Values start at 1: a 0 taken is a cell no push wrote.
                    // The object is broken, and may not return from its next
                    // call (chase_lev_le2013's underflowed pop leaves bottom
                    // at SIZE_MAX, and its next push's resize copies towards
                    // 2^64), so this thread's script ends here; the history
                    // so far is checked, and is not linearizable.
                    if (op.kind != op_kind::push && op.ok && op.value == 0) break;
                }
            }
            finished_.fetch_add(1);
        }
    }

    std::size_t workers_count_;
    std::vector<std::thread> workers_;
    std::unique_ptr<Q> object_;
    const scenario* scenario_ = nullptr;
    std::vector<history> logs_;
    std::atomic<std::uint64_t> round_{0};
    std::atomic<std::size_t> arrived_{0}, finished_{0}, active_{0};
    std::atomic<bool> stop_{false};
};

}  // namespace gauntlet::linearizability
