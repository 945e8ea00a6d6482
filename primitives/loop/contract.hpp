// Event-loop contract, part 1 (the core): tasks, cross-thread posts, next
// ticks and microtasks, the sleep, keep-alive and shutdown.
//
// A loop is driven by one thread, the loop thread, inside run(). Every other
// member may be called from any thread unless it says "loop thread".
//
//   post_status post(task t);   any thread. Queues t on the cross-thread
//                       queue and wakes the loop if it may be asleep. After
//                       close() has been observed the post is refused
//                       (post_status::refused): nothing is queued or
//                       allocated, t is never run. An accepted task runs
//                       exactly once, posts of one thread in their order.
//   void enqueue(task t);     loop thread: appends t to the task FIFO.
//   void next_tick(task t);   loop thread: appends t to the next-tick queue.
//   void microtask(task t);   loop thread: appends t to the microtask queue.
//   void immediate(task t);   loop thread: appends t to the immediate queue.
//   timer_id set_timer(std::uint64_t delay_ms, task t);
//                             loop thread: runs t once, no earlier than
//                             delay_ms after the call (loop_thread_queues.hpp:
//                             the deadline is the loop clock's reading rounded
//                             up to the millisecond, plus delay_ms).
//   bool cancel_timer(timer_id id);
//                             loop thread: true when the timer was pending;
//                             it never runs. False for a timer that ran or
//                             was cancelled already.
//   void ref(); void unref(); any thread: keep-alive count.
//   void close();             any thread: refuse later posts; every accepted
//                             task still runs (drain).
//   void run();               loop thread: runs until nothing is queued,
//                             pending or referenced.
//
// Order (the same for every variant; properties/loop checks it against one
// sequential reference). A turn has three phases:
//   1. timers: every timer that was due when the phase began and was set
//      before it began runs, by deadline, equal deadlines in the order they
//      were set; a timer set or re-armed by a timer callback waits for the
//      next turn, so a timer re-arming itself with 0 ms runs once per turn
//      and cannot starve the other phases;
//   2. tasks: every posted task, in post order, moves to the back of the
//      task FIFO, then FIFO tasks run until the FIFO is empty (tasks a task
//      enqueues run in the same turn, tasks it posts in the next);
//   3. immediates: the immediates queued when the phase began run, in
//      order; those they queue run in the next turn's immediate phase
//      (Bun's swap of the immediate queue, Node's setImmediate);
//   * after every task, timer callback and immediate the loop drains: every next tick (those queued
//     meanwhile included), then every microtask (likewise), and again while
//     next ticks were queued by the microtasks (Node's CommonJS order:
//     process.nextTick before promise jobs);
//   * a flood of next ticks or microtasks delays everything else without
//     bound, as in Node: a microtask that queues a microtask keeps the loop
//     in the drain; the bound is the flood's own length.
// Liveness: run() returns exactly when the task FIFO, the next-tick,
// microtask and immediate queues and the cross-thread queue are empty, no
// timer is pending and the keep-alive count is zero (a pending timer keeps
// the loop alive, as a referenced libuv timer does). Every accepted post holds one keep-alive reference from
// before it is queued until its task has run, so a post that was accepted
// is never left behind by run()'s return; an unref() that reaches zero
// wakes the loop so that it can return.
// The sleep: when it has nothing to run, the loop blocks (natively in
// epoll_wait on an eventfd, wake_event.hpp) until a wake-up or the next
// timer's deadline instead of spinning; the variant's wake-up policy decides
// which posts write the eventfd.
//
//
// Part 2, the reactor's edges (each in every variant where it applies):
//   io_id read_stream(int fd, io_trigger, io_reader);  bool stop_reading(io_id);
//                     loop thread, native basic_loop: the loop reads fd on
//                     readiness (level- or edge-triggered) and delivers every
//                     byte in order, then the end (io_poller.hpp). A turn is
//                     timers, I/O, tasks, immediates; an active watch keeps
//                     run() from returning.
//   set_high_water(mark); post() -> full; post_wait(t)
//                     backpressure (high_water.hpp): at most `mark` posted
//                     tasks wait to run; post() tells the poster, post_wait()
//                     (workers only) waits; nothing is dropped silently.
//   bool defer(deferred_task t)
//                     loop thread: seed 004's deferred task queue, one
//                     repeating callback per ctx, run after each drain
//                     (loop_thread_queues.hpp).
//   failures(), first_failure()
//                     a callback that throws is contained, counted and
//                     kept; run() never throws; nothing else is lost.
//   set_stall_quota(ns); stalls(), stall_count()
//                     a callback that held the loop longer than the quota
//                     is named with its duration.
//   set_turn_hook(t); wake()
//                     t runs at the top of every turn; wake() (any thread,
//                     async-signal-safe natively) ends a sleep: a signal
//                     handler's ring (signal_ring.hpp) is drained there.
// Fairness, stated bounds (properties/loop: fairness): a due timer and a
// readable fd run within 1 turn of a task that re-posts itself; a next-tick
// or microtask flood delays them by the flood's length.
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>

namespace gauntlet {

// A task: a plain function pointer and its argument (no allocation, usable
// under Relacy). Bun's tagged-pointer task is this shape.
struct task {
    void (*fn)(void*) = nullptr;
    void* ctx = nullptr;
    void operator()() const { fn(ctx); }
};

// full: the loop's high-water mark is reached (basic_loop::set_high_water);
// nothing was queued, the poster may retry or wait (post_wait).
enum class post_status { accepted, refused, full };

constexpr std::string_view to_string(post_status s) {
    return s == post_status::accepted ? "accepted" : s == post_status::refused ? "refused" : "full";
}

template <class L>
concept event_loop = std::default_initializable<L> && requires(L& l, task t) {
    { l.post(t) } -> std::same_as<post_status>;
    l.enqueue(t);
    l.next_tick(t);
    l.microtask(t);
    l.immediate(t);
    { l.cancel_timer(l.set_timer(std::uint64_t{0}, t)) } -> std::same_as<bool>;
    l.ref();
    l.unref();
    l.close();
    l.run();
};

}  // namespace gauntlet
