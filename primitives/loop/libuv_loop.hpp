// Peer: libuv (Debian libuv1-dev) behind the loop contract, as far as the
// contract maps onto it.
//
// What is libuv's: the sleep (epoll), the cross-thread wake-up
// (uv_async_send, which coalesces by itself: it writes the eventfd only when
// the handle's pending flag was clear), uv_run's exit rule (no active,
// referenced handle), and the loop's phases.
// What is this adapter's, because libuv has no such thing: the task FIFO,
// next ticks and microtasks (libuv has none; Node builds them above libuv),
// the keep-alive count (libuv's uv_ref is a flag per handle, usable on the
// loop thread only: here a count, turned into uv_ref/uv_unref of the async
// handle on the loop thread), the cross-thread queue (a std::deque under a
// mutex, as libuv's own work queue does), and refusal after close (the same
// lifecycle state machine as basic_loop).
// A turn runs in the async callback (and once when run() starts): it moves
// the posted tasks, in post order, to the FIFO and runs the FIFO to empty,
// draining next ticks and microtasks after every task, so the order is the
// contract's.
#pragma once

#ifdef GAUNTLET_HAVE_LIBUV

#include <uv.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>

#include "primitives/loop/contract.hpp"
#include "primitives/loop/loop_gate.hpp"
#include "primitives/loop/loop_thread_queues.hpp"
#include "primitives/native_world.hpp"

namespace gauntlet {

class libuv_loop {
public:
    libuv_loop() {
        if (uv_loop_init(&loop_) != 0 || uv_async_init(&loop_, &async_, &on_async) != 0) {
            std::fprintf(stderr, "libuv_loop: uv_loop_init/uv_async_init failed\n");
            std::abort();
        }
        async_.data = this;
        uv_unref(reinterpret_cast<uv_handle_t*>(&async_));  // referenced only while the count is not zero
    }
    libuv_loop(const libuv_loop&) = delete;
    libuv_loop& operator=(const libuv_loop&) = delete;
    ~libuv_loop() {
        uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
        uv_run(&loop_, UV_RUN_DEFAULT);
        uv_loop_close(&loop_);
    }

    post_status post(task t) {
        return gate_.admit([&] {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                posted_.push_back(t);
            }
            uv_async_send(&async_);
        })
                   ? post_status::accepted
                   : post_status::refused;
    }
    void enqueue(task t) { local_.enqueue(t); }
    void next_tick(task t) { local_.next_tick(t); }
    void microtask(task t) { local_.microtask(t); }
    void ref() { gate_.ref(); }
    void unref() {
        if (gate_.unref()) uv_async_send(&async_);  // re-read the count
    }
    void close() { gate_.close(); }
    void run() {
        turn();
        uv_run(&loop_, UV_RUN_DEFAULT);
    }

private:
    static void on_async(uv_async_t* h) { static_cast<libuv_loop*>(h->data)->turn(); }

    void turn() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (const task& t : posted_) local_.enqueue(t, true);
            posted_.clear();
        }
        local_.run_fifo([this] { gate_.unref(); });  // the posted task's reference
        // Keep uv_run going while anything is referenced; a post or an unref
        // to zero after this read sends the async handle again.
        if (!gate_.unreferenced())
            uv_ref(reinterpret_cast<uv_handle_t*>(&async_));
        else
            uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
    }

    uv_loop_t loop_{};
    uv_async_t async_{};
    std::mutex mutex_;
    std::deque<task> posted_;  // guarded by mutex_
    loop_gate<native_world> gate_;
    loop_thread_queues local_;  // loop thread only
};

}  // namespace gauntlet

#endif  // GAUNTLET_HAVE_LIBUV
