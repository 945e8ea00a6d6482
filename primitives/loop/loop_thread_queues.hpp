// The loop thread's own queues, shared by every variant (basic_loop.hpp) and
// the libuv adapter (libuv_loop.hpp): the task FIFO, next ticks, microtasks
// and immediates, the contract's order for running them (contract.hpp), and
// (basic_loop only) the timers and the loop's clock.
// Loop thread only: plain containers.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "primitives/loop/contract.hpp"
#include "primitives/loop/timers.hpp"

namespace gauntlet {

// The loop's clock: milliseconds of std::chrono::steady_clock. now_ms()
// rounds down (a timer is due once now_ms() >= its deadline) and a deadline
// is the reading rounded up plus the delay, so a timer never runs before
// delay_ms has passed since set_timer(), to the nanosecond: both roundings
// err late. (Rounding the deadline down instead, as a millisecond clock
// read once does, fires up to 1 ms early.)
//
// Virtual time, for deterministic checks (tokio's paused clock does the
// same): while a thread has installed a virtual_time, the clock of loops
// run on that thread reads it, and a loop with nothing to run but timers
// advances it to the next deadline instead of sleeping. Only the loop
// thread reads it; the sleep for a post or an unref is real either way.
struct virtual_time {
    std::uint64_t now_ms = 0;
};

struct loop_clock {
    static virtual_time*& installed() {
        static thread_local virtual_time* v = nullptr;
        return v;
    }
    static std::uint64_t now_ns() {
        if (const virtual_time* v = installed()) return v->now_ms * 1'000'000;
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
                .count());
    }
    static bool is_virtual() { return installed() != nullptr; }
    // Virtual time only: moves it on by ms (the loop does not sleep).
    static void skip(std::uint64_t ms) { installed()->now_ms += ms; }
    static std::uint64_t now_ms() { return now_ns() / 1'000'000; }
    static std::uint64_t deadline_ms(std::uint64_t delay_ms) { return (now_ns() + 999'999) / 1'000'000 + delay_ms; }
};

// A FIFO on a vector: pop_front advances a head index and the vector is
// emptied (its capacity kept) when the head reaches its end, or compacted
// when the consumed part is at least half of it. Unlike a
// std::deque it allocates nothing until used and frees nothing while it
// cycles, so a loop's queues cost the Relacy search no branches (there,
// every free is a branch: deferred or not) unless a scenario uses them.
template <class T>
class loop_fifo {
public:
    bool empty() const { return head_ == items_.size(); }
    void push_back(const T& v) { items_.push_back(v); }
    const T& front() const { return items_[head_]; }
    void pop_front() {
        if (++head_ == items_.size()) {
            clear();
        } else if (head_ >= 1024 && head_ * 2 >= items_.size()) {
            // a queue that never empties (a microtask chain): drop the
            // consumed half, so memory follows what is queued, not what ran
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }
    void clear() {
        items_.clear();
        head_ = 0;
    }
    // Appends every element of other, in order, and empties it.
    void append_from(loop_fifo& other) {
        for (std::size_t i = other.head_; i < other.items_.size(); ++i) items_.push_back(other.items_[i]);
        other.clear();
    }
    void swap(loop_fifo& other) noexcept {
        items_.swap(other.items_);
        std::swap(head_, other.head_);
    }

private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

// Failure isolation and the stall detector (contract.hpp, part 2), shared
// by every variant through the one place a callback is called (invoke):
//  * contain and report: a task, next tick, microtask, timer callback or
//    immediate that throws is caught there; the loop counts it, keeps the
//    first exception (first_failure(), to rethrow or log) and goes on, so
//    nothing else queued is lost and run() never throws. Contain false is
//    a mutant: the exception leaves run() with the rest of the queues
//    unrun and a posted task's keep-alive reference never dropped;
//  * stalls: with a quota set (set_stall_quota(ns); 0, the default, is
//    off and costs one branch), every callback is timed with two clock
//    reads; one that held the loop longer than the quota is recorded with
//    its task (function and argument: the name a caller gave it) and how
//    long it took, the first 1024 of them kept, every one counted. Seastar
//    uses 0.5 ms; it detects stalls with a timer signal, which also names
//    a task that never returns, at no cost per task: this detector sees a
//    stall only once the callback has returned.
struct loop_queue_policy {
    static constexpr bool contain = true;     // mutant switch: exceptions leave run()
    static constexpr bool time_drain = true;  // mutant switch: next ticks and microtasks untimed
    static constexpr bool coalesce_deferred = true;  // mutant switch: a second defer of a ctx registers again
};

// Seed 004's deferred task queue (Bun's DeferredTaskQueue): one repeating
// callback per context, keyed by its argument. defer(t) registers t unless a
// callback with the same ctx is registered already (duplicates coalesce:
// false). After every drain of next ticks and microtasks the registered
// callbacks run once each, in the order they were registered; one that
// returns true stays registered for the next drain, one that returns false
// is removed. Callbacks registered while they run wait for the next drain;
// next ticks and microtasks they queue are drained right after them (not
// followed by another deferred run, so a repeating callback cannot hold the
// drain). A registered callback does not keep the loop alive.
struct deferred_task {
    bool (*fn)(void*) = nullptr;
    void* ctx = nullptr;
};

struct loop_stall {
    task t;  // a deferred callback's has no fn: it is named by its ctx
    std::uint64_t ns = 0;
};

template <class QP = loop_queue_policy>
class basic_loop_task_queues {
public:
    bool defer(deferred_task t) {
        if constexpr (QP::coalesce_deferred) {
            for (const deferred_task& d : deferred_)
                if (d.ctx == t.ctx) return false;
        }
        deferred_.push_back(t);
        return true;
    }

    std::uint64_t failures() const { return failures_; }
    std::exception_ptr first_failure() const { return first_failure_; }
    void set_stall_quota(std::uint64_t ns) { quota_ns_ = ns; }
    std::uint64_t stall_quota() const { return quota_ns_; }
    std::uint64_t stall_count() const { return stall_count_; }
    const std::vector<loop_stall>& stalls() const { return stalls_; }

    void enqueue(task t) { fifo_.push_back({t, false}); }
    // A posted task taken off the channel: it joins the back of the FIFO at
    // the start of the next task phase (take_arrived), after whatever the
    // timer phase enqueues.
    void arrived(task t) { arrived_.push_back({t, true}); }
    void take_arrived() { fifo_.append_from(arrived_); }
    void next_tick(task t) { ticks_.push_back(t); }
    void microtask(task t) { micros_.push_back(t); }
    void immediate(task t) { immediates_.push_back(t); }
    // Nothing left to run in this turn's task or immediate phase.
    bool idle() const { return fifo_.empty() && immediates_.empty() && arrived_.empty(); }

    // Runs t, then the drain.
    void run_one(task t) {
        invoke(t);
        drain();
    }
    // Runs f (an I/O callback, which is no task) as a callback: contained,
    // timed under `name`, then the drain.
    template <class F>
    void run_callable(task name, F&& f) {
        invoke_as(name, f);
        drain();
    }

    // Runs FIFO tasks until the FIFO is empty (tasks they enqueue included),
    // draining next ticks and microtasks after each; `after_posted()` runs
    // after each posted task and its drain (it drops the task's keep-alive).
    template <class F>
    void run_fifo(F&& after_posted) {
        while (!fifo_.empty()) {
            const entry e = fifo_.front();
            fifo_.pop_front();
            run_one(e.t);
            if (e.posted) after_posted();
        }
    }

    // The immediate phase: the immediates queued before it began, in order,
    // each followed by the drain; immediates they queue wait for the next
    // turn (the queue is swapped out first).
    void run_immediates() {
        running_.swap(immediates_);
        while (!running_.empty()) {
            const task t = running_.front();
            running_.pop_front();
            run_one(t);
        }
    }

private:
    struct entry {
        task t;
        bool posted;
    };
    void invoke(task t, bool timed = true) { invoke_as(t, t, timed); }
    // Calls f; a stall is recorded under `name` (the task the caller gave).
    template <class F>
    void invoke_as(task name, F&& f, bool timed = true) {
        if (quota_ns_ == 0 || !timed) {
            guarded(f);
            return;
        }
        const auto t0 = std::chrono::steady_clock::now();
        guarded(f);
        const auto ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
        if (ns > quota_ns_) {
            ++stall_count_;
            if (stalls_.size() < 1024) stalls_.push_back({name, ns});
        }
    }
    template <class F>
    void guarded(F&& t) {
        if constexpr (QP::contain) {
            try {
                t();
            } catch (...) {
                if (failures_++ == 0) first_failure_ = std::current_exception();
            }
        } else {
            t();
        }
    }
    // Every next tick, then every microtask, again while ticks were queued;
    // then the deferred callbacks, and what they queued.
    void drain() {
        drain_queues();
        if (deferred_.empty()) return;
        run_deferred();
        drain_queues();
    }
    void run_deferred() {
        const std::size_t n = deferred_.size();  // registered before this run
        std::size_t keep = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const deferred_task d = deferred_[i];
            bool again = false;  // a throw removes it
            invoke_as(task{nullptr, d.ctx}, [&] { again = d.fn(d.ctx); });
            if (again) deferred_[keep++] = d;
        }
        // those registered meanwhile follow, in their order
        deferred_.erase(deferred_.begin() + static_cast<std::ptrdiff_t>(keep),
                        deferred_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    void drain_queues() {
        do {
            while (!ticks_.empty()) {
                const task t = ticks_.front();
                ticks_.pop_front();
                invoke(t, QP::time_drain);
            }
            while (!micros_.empty()) {
                const task t = micros_.front();
                micros_.pop_front();
                invoke(t, QP::time_drain);
            }
        } while (!ticks_.empty());
    }

    loop_fifo<entry> fifo_, arrived_;
    loop_fifo<task> ticks_, micros_, immediates_, running_;
    std::uint64_t failures_ = 0, quota_ns_ = 0, stall_count_ = 0;
    std::exception_ptr first_failure_;
    std::vector<loop_stall> stalls_;
    std::vector<deferred_task> deferred_;
};
using loop_task_queues = basic_loop_task_queues<>;

// The task queues plus timers behind the timer_queue interface (timers.hpp:
// a binary heap or a hierarchical wheel). SetBeforePhase false is a mutant:
// the timer phase also runs timers its callbacks set, so a 0 ms timer
// re-armed in its own callback never lets the phase end.
template <class Timers, bool SetBeforePhase = true, class QP = loop_queue_policy>
class loop_thread_queues : public basic_loop_task_queues<QP> {
public:
    timer_id set_timer(std::uint64_t delay_ms, task t) { return timers_.add(loop_clock::deadline_ms(delay_ms), t); }
    bool cancel_timer(timer_id id) { return timers_.cancel(id); }

    // The timer phase: every timer due at its start and set before it, by
    // (deadline, order set); each followed by the drain.
    void run_timers() {
        if (timers_.size() == 0) return;
        const std::uint64_t now = loop_clock::now_ms();
        const std::uint64_t set_before = SetBeforePhase ? timers_.next_seq() : ~std::uint64_t{0};
        task t;
        while (timers_.pop_due(now, set_before, t)) this->run_one(t);
    }

    // Milliseconds the loop may sleep before a timer may be due: -1 (no
    // timer: until woken), 0 (one is due already), else at most the time to
    // the earliest deadline (the wheel's lower bound may make it shorter).
    int sleep_budget_ms() const {
        const std::optional<std::uint64_t> next = timers_.next_deadline();
        if (!next) return -1;
        const std::uint64_t now = loop_clock::now_ms();
        if (*next <= now) return 0;
        const std::uint64_t wait = *next - now;
        return wait > 1'000'000 ? 1'000'000 : static_cast<int>(wait);
    }

private:
    Timers timers_;
};

}  // namespace gauntlet
