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
//   void ref(); void unref(); any thread: keep-alive count.
//   void close();             any thread: refuse later posts; every accepted
//                             task still runs (drain).
//   void run();               loop thread: runs until nothing is queued,
//                             pending or referenced.
//
// Order (the same for every variant; properties/loop checks it against one
// sequential reference):
//   * a turn first moves every posted task, in post order, to the back of
//     the task FIFO, then runs FIFO tasks until the FIFO is empty (tasks a
//     task enqueues run in the same turn, tasks it posts in the next);
//   * after every task the loop drains: every next tick (those queued
//     meanwhile included), then every microtask (likewise), and again while
//     next ticks were queued by the microtasks (Node's CommonJS order:
//     process.nextTick before promise jobs);
//   * a flood of next ticks or microtasks delays everything else without
//     bound, as in Node: a microtask that queues a microtask keeps the loop
//     in the drain; the bound is the flood's own length.
// Liveness: run() returns exactly when the task FIFO, the next-tick and
// microtask queues and the cross-thread queue are empty and the keep-alive
// count is zero. Every accepted post holds one keep-alive reference from
// before it is queued until its task has run, so a post that was accepted
// is never left behind by run()'s return; an unref() that reaches zero
// wakes the loop so that it can return.
// The sleep: when it has nothing to run, the loop blocks (natively in
// epoll_wait on an eventfd, wake_event.hpp) instead of spinning; the
// variant's wake-up policy decides which posts write the eventfd.
//
// Not in part 1: immediates, timers, I/O (part 2).
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

enum class post_status { accepted, refused };

constexpr std::string_view to_string(post_status s) { return s == post_status::accepted ? "accepted" : "refused"; }

template <class L>
concept event_loop = std::default_initializable<L> && requires(L& l, task t) {
    { l.post(t) } -> std::same_as<post_status>;
    l.enqueue(t);
    l.next_tick(t);
    l.microtask(t);
    l.ref();
    l.unref();
    l.close();
    l.run();
};

}  // namespace gauntlet
