// The loop thread's own queues, shared by every variant (basic_loop.hpp) and
// the libuv adapter (libuv_loop.hpp): the task FIFO, next ticks and
// microtasks, and the contract's order for running them (contract.hpp).
// Loop thread only: plain containers.
#pragma once

#include <deque>

#include "primitives/loop/contract.hpp"

namespace gauntlet {

class loop_thread_queues {
public:
    void enqueue(task t, bool posted = false) { fifo_.push_back({t, posted}); }
    void next_tick(task t) { ticks_.push_back(t); }
    void microtask(task t) { micros_.push_back(t); }
    bool empty() const { return fifo_.empty(); }

    // Runs FIFO tasks until the FIFO is empty (tasks they enqueue included),
    // draining next ticks and microtasks after each; `after_posted()` runs
    // after each posted task and its drain (it drops the task's keep-alive).
    template <class F>
    void run_fifo(F&& after_posted) {
        while (!fifo_.empty()) {
            const entry e = fifo_.front();
            fifo_.pop_front();
            e.t();
            drain();
            if (e.posted) after_posted();
        }
    }

private:
    struct entry {
        task t;
        bool posted;
    };
    // Every next tick, then every microtask, again while ticks were queued.
    void drain() {
        do {
            while (!ticks_.empty()) {
                const task t = ticks_.front();
                ticks_.pop_front();
                t();
            }
            while (!micros_.empty()) {
                const task t = micros_.front();
                micros_.pop_front();
                t();
            }
        } while (!ticks_.empty());
    }

    std::deque<entry> fifo_;
    std::deque<task> ticks_, micros_;
};

}  // namespace gauntlet
