// priority_source: a priority queue feeding an event loop (seed 000: workers
// order the work, the loop pops the highest and runs it).
//
// Workers push (priority, payload) through push(p, item) (producer p) and
// call finish(p) when they have no more; each push wakes the loop. The loop
// runs the source's turn hook at the top of every turn (basic_loop's
// set_turn_hook: contract.hpp, part 2): the hook pops one item, the highest
// the queue gives, and enqueues a task that hands it to the handler in the
// same turn's task phase. One item per turn, so the other phases (timers,
// I/O, posted tasks) keep their turns while a flood waits. After taking an
// item the hook wakes the loop (the loop thread's own wake-up: its next
// sleep returns at once, and the next turn pops again); when the hook finds
// nothing it neither enqueues nor wakes, and the loop sleeps until the next
// push's wake-up.
//
// The source holds one keep-alive reference from construction until every
// producer has finished and the queue is found empty; then it removes its
// hook and drops the reference, and run() may return.
//
// turns() counts the hook's runs (the loop's turns); a worker that reads it
// after a push knows that every later turn's pop began after its push
// returned: a strict queue then pops that item, if it is the highest, in the
// next turn.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "primitives/loop/contract.hpp"
#include "primitives/pq/contract.hpp"

namespace gauntlet {

template <class Loop, class Q>
class priority_source {
public:
    using handler = void (*)(void* ctx, const pq_item& item);

    priority_source(Loop& loop, std::size_t producers, handler h, void* ctx)
        : loop_(loop), q_(producers), producers_(producers), handler_(h), ctx_(ctx) {
        loop_.ref();
        loop_.set_turn_hook(task{&hook, this});
    }
    priority_source(const priority_source&) = delete;
    priority_source& operator=(const priority_source&) = delete;

    // Worker p.
    void push(std::size_t p, pq_item v) {
        q_.push(p, v);
        loop_.wake();
    }
    void finish(std::size_t p) {
        q_.flush(p);
        finished_.fetch_add(1, std::memory_order_acq_rel);
        loop_.wake();
    }

    std::uint64_t turns() const { return turns_.load(std::memory_order_seq_cst); }

private:
    static void hook(void* self) { static_cast<priority_source*>(self)->turn(); }
    static void deliver(void* self) {
        auto* s = static_cast<priority_source*>(self);
        s->handler_(s->ctx_, s->current_);
    }

    void turn() {
        turns_.fetch_add(1, std::memory_order_seq_cst);
        // read before the pop: a finish seen here flushed before this pop
        const bool all_finished = finished_.load(std::memory_order_acquire) == producers_;
        if (q_.try_pop(current_)) {
            loop_.enqueue(task{&deliver, this});  // runs in this turn's task phase
            loop_.wake();  // the queue may hold more: the next sleep returns at once, the next turn pops
            return;
        }
        if (all_finished && !closed_) {
            closed_ = true;
            loop_.set_turn_hook(task{});
            loop_.unref();
        }
    }

    Loop& loop_;
    Q q_;
    std::size_t producers_;
    handler handler_;
    void* ctx_;
    pq_item current_{};  // the loop thread's: the item this turn took
    bool closed_ = false;
    std::atomic<std::uint64_t> turns_{0};
    std::atomic<std::size_t> finished_{0};
};

}  // namespace gauntlet
