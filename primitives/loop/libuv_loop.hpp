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
// Phases: libuv runs its timers, then polls (the async handle wakes the
// poll; its callback only updates the keep-alive), then runs check handles:
// the adapter's check callback is the contract's task phase (posted tasks,
// in post order, to the FIFO; the FIFO to empty) followed by its immediate
// phase, so a turn is timers, tasks, immediates, as in basic_loop. An idle
// handle is active while the FIFO or the immediate queue holds work, so the
// poll does not block then (Node runs setImmediate the same way).
// Timers are libuv's: one uv_timer_t per set_timer(), started after
// uv_update_time() (so the delay counts from the call, not from the time
// the loop last read its clock), closed when it runs or is cancelled. Their
// order, lateness and re-arming are libuv's own; the property check says
// what it finds.
#pragma once

#ifdef GAUNTLET_HAVE_LIBUV

#include <uv.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "primitives/loop/contract.hpp"
#include "primitives/loop/io_poller.hpp"
#include "primitives/loop/loop_gate.hpp"
#include "primitives/loop/loop_thread_queues.hpp"
#include "primitives/native_world.hpp"

namespace gauntlet {

struct libuv_timer_id {
    std::uint64_t n = 0;  // 0: no timer
};

class libuv_loop {
public:
    libuv_loop() {
        if (uv_loop_init(&loop_) != 0 || uv_async_init(&loop_, &async_, &on_async) != 0 ||
            uv_check_init(&loop_, &check_) != 0 || uv_idle_init(&loop_, &idle_) != 0 ||
            uv_prepare_init(&loop_, &prepare_) != 0 || uv_check_start(&check_, &on_check) != 0) {
            std::fprintf(stderr, "libuv_loop: uv_loop_init/uv_async_init/uv_check_init/uv_idle_init failed\n");
            std::abort();
        }
        async_.data = check_.data = idle_.data = prepare_.data = this;
        uv_unref(reinterpret_cast<uv_handle_t*>(&prepare_));  // the turn hook keeps nothing alive
        uv_unref(reinterpret_cast<uv_handle_t*>(&async_));  // referenced only while the count is not zero
        uv_unref(reinterpret_cast<uv_handle_t*>(&check_));  // runs every iteration, keeps nothing alive
    }
    libuv_loop(const libuv_loop&) = delete;
    libuv_loop& operator=(const libuv_loop&) = delete;
    ~libuv_loop() {
        for (auto& [n, rec] : timers_) uv_close(reinterpret_cast<uv_handle_t*>(&rec->handle), &free_timer);
        for (auto& [n, w] : polls_) uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), &free_poll);
        uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&idle_), nullptr);
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
    void enqueue(task t) {
        local_.enqueue(t);
        keep_polling();
    }
    void next_tick(task t) { local_.next_tick(t); }
    void microtask(task t) { local_.microtask(t); }
    void immediate(task t) {
        local_.immediate(t);
        keep_polling();
    }
    bool defer(deferred_task t) { return local_.defer(t); }
    libuv_timer_id set_timer(std::uint64_t delay_ms, task t) {
        auto* rec = new timer_rec{{}, t, this, ++last_timer_};
        uv_timer_init(&loop_, &rec->handle);
        rec->handle.data = rec;
        uv_update_time(&loop_);
        uv_timer_start(&rec->handle, &on_timer, delay_ms, 0);
        timers_.emplace(rec->n, rec);
        return {rec->n};
    }
    bool cancel_timer(libuv_timer_id id) {
        const auto it = timers_.find(id.n);
        if (it == timers_.end()) return false;
        uv_timer_stop(&it->second->handle);
        uv_close(reinterpret_cast<uv_handle_t*>(&it->second->handle), &free_timer);
        timers_.erase(it);
        return true;
    }
    void ref() { gate_.ref(); }
    void unref() {
        if (gate_.unref()) uv_async_send(&async_);  // re-read the count
    }
    void close() { gate_.close(); }
    // Failure isolation and the stall detector: the shared loop-thread
    // queues call every callback (loop_thread_queues.hpp), so an exception
    // never crosses libuv's C frames.
    std::uint64_t failures() const { return local_.failures(); }
    std::exception_ptr first_failure() const { return local_.first_failure(); }
    void set_stall_quota(std::uint64_t ns) { local_.set_stall_quota(ns); }
    std::uint64_t stall_count() const { return local_.stall_count(); }
    const std::vector<loop_stall>& stalls() const { return local_.stalls(); }
    // The turn hook is a prepare handle: it runs once per libuv iteration,
    // after libuv's timers, before its poll (basic_loop's runs before its
    // timers). wake() is uv_async_send, async-signal-safe by libuv's docs.
    void set_turn_hook(task t) {
        hook_ = t;
        if (t.fn != nullptr)
            uv_prepare_start(&prepare_, &on_prepare);
        else
            uv_prepare_stop(&prepare_);
    }
    void wake() { uv_async_send(&async_); }

    // Readiness-based I/O on uv_poll. libuv polls level-triggered and has
    // no edge-triggered mode: both triggers are served level-triggered, one
    // read of up to 4 KiB per readiness, like basic_loop's level mode.
    io_id read_stream(int fd, io_trigger, io_reader r) {
        auto* w = new poll_rec{{}, r, this, ++last_io_, fd};
        if (uv_poll_init(&loop_, &w->handle, fd) != 0) {
            delete w;
            r.on_end(r.ctx, EBADF);
            return {};
        }
        w->handle.data = w;
        uv_poll_start(&w->handle, UV_READABLE, &on_poll);
        polls_.emplace(w->n, w);
        return {w->n};
    }
    bool stop_reading(io_id id) {
        const auto it = polls_.find(id.n);
        if (it == polls_.end()) return false;
        uv_poll_stop(&it->second->handle);
        uv_close(reinterpret_cast<uv_handle_t*>(&it->second->handle), &free_poll);
        polls_.erase(it);
        return true;
    }

    void run() {
        keep_alive();
        keep_polling();
        uv_run(&loop_, UV_RUN_DEFAULT);
    }

private:
    struct poll_rec {
        uv_poll_t handle;
        io_reader r;
        libuv_loop* self;
        std::uint64_t n;
        int fd;
    };
    static void free_poll(uv_handle_t* h) { delete static_cast<poll_rec*>(h->data); }
    static void on_poll(uv_poll_t* h, int status, int) {
        auto* w = static_cast<poll_rec*>(h->data);
        libuv_loop& self = *w->self;
        const io_reader r = w->r;
        char buf[4096];
        ssize_t got = status < 0 ? -1 : read(w->fd, buf, sizeof buf);
        if (got < 0 && status >= 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (got > 0) {
            self.local_.run_callable(task{nullptr, r.ctx}, [&] { r.on_data(r.ctx, buf, static_cast<std::size_t>(got)); });
        } else {
            const int err = got == 0 ? 0 : status < 0 ? -status : errno;
            self.stop_reading(io_id{w->n});
            self.local_.run_callable(task{nullptr, r.ctx}, [&] { r.on_end(r.ctx, err); });
        }
        self.keep_polling();
    }
    static void on_prepare(uv_prepare_t* h) {
        auto& self = *static_cast<libuv_loop*>(h->data);
        if (self.hook_.fn != nullptr) self.local_.run_one(self.hook_);
    }
    struct timer_rec {
        uv_timer_t handle;
        task t;
        libuv_loop* self;
        std::uint64_t n;
    };
    static void free_timer(uv_handle_t* h) { delete static_cast<timer_rec*>(h->data); }
    static void on_timer(uv_timer_t* h) {
        auto* rec = static_cast<timer_rec*>(h->data);
        libuv_loop& self = *rec->self;
        self.timers_.erase(rec->n);
        uv_close(reinterpret_cast<uv_handle_t*>(h), &free_timer);
        self.local_.run_one(rec->t);
        self.keep_polling();
    }
    static void on_async(uv_async_t* h) { static_cast<libuv_loop*>(h->data)->keep_alive(); }
    static void on_idle(uv_idle_t*) {}
    static void on_check(uv_check_t* h) { static_cast<libuv_loop*>(h->data)->turn(); }

    // The task phase, then the immediate phase.
    void turn() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (const task& t : posted_) local_.arrived(t);
            posted_.clear();
        }
        local_.take_arrived();
        local_.run_fifo([this] { gate_.unref(); });  // the posted task's reference
        local_.run_immediates();
        keep_polling();
        keep_alive();
    }
    // Keep uv_run going while anything is referenced; a post or an unref
    // to zero after this read sends the async handle again.
    void keep_alive() {
        if (!gate_.unreferenced())
            uv_ref(reinterpret_cast<uv_handle_t*>(&async_));
        else
            uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
    }
    // The poll must not block while the FIFO or the immediates hold work.
    void keep_polling() {
        if (!local_.idle())
            uv_idle_start(&idle_, &on_idle);
        else
            uv_idle_stop(&idle_);
    }

    uv_loop_t loop_{};
    uv_async_t async_{};
    uv_check_t check_{};
    uv_idle_t idle_{};
    std::unordered_map<std::uint64_t, timer_rec*> timers_;  // pending timers, by id
    uv_prepare_t prepare_{};
    task hook_{};
    std::unordered_map<std::uint64_t, poll_rec*> polls_;  // active reads, by id
    std::uint64_t last_io_ = 0;
    std::uint64_t last_timer_ = 0;
    std::mutex mutex_;
    std::deque<task> posted_;  // guarded by mutex_
    loop_gate<native_world> gate_;
    loop_task_queues local_;  // loop thread only
};

}  // namespace gauntlet

#endif  // GAUNTLET_HAVE_LIBUV
