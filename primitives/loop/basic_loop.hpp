// basic_loop: the half every variant shares (contract.hpp), over a channel
// (channels.hpp) that is the cross-thread half: the task FIFO and the drain
// of next ticks and microtasks (loop_thread_queues.hpp), admission,
// keep-alive and close (loop_gate.hpp), the timers (a timer_queue of
// timers.hpp: a binary heap by default, or a hierarchical wheel), the
// phases of a turn and the run() exit rule. A refused
// post allocates nothing; the loop drops a posted task's reference after
// the task and its drain have run, so run() cannot return while an accepted
// task waits.
#pragma once

#include <atomic>
#include <type_traits>
#include <cstdint>

#include "primitives/loop/channels.hpp"
#include "primitives/loop/contract.hpp"
#include "primitives/loop/high_water.hpp"
#include "primitives/loop/io_poller.hpp"
#include "primitives/loop/loop_gate.hpp"
#include "primitives/loop/loop_thread_queues.hpp"
#include "primitives/loop/post_nodes.hpp"
#include "primitives/native_world.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct basic_loop_policy {
    // The high-water mark's admission (high_water.hpp).
    using water = high_water_policy;
    // Failure containment and stall timing (loop_thread_queues.hpp).
    using queues = loop_queue_policy;
    // Reading on readiness (io_poller.hpp).
    using io = io_poller_policy;
    // The I/O phase runs every turn (false, a mutant: only at the end of a
    // turn that leaves nothing to run, so a task that re-posts itself
    // starves it).
    static constexpr bool io_every_turn = true;
    // Moving a posted node to the FIFO: copy its task out, then free it.
    static constexpr bool free_node_first = false;
    // The timer phase runs only timers set before it began (contract.hpp).
    static constexpr bool timers_set_before_phase = true;
};

template <world World, class Channel, class Policy = basic_loop_policy, class Timers = timer_heap<>>
class basic_loop {
    using node = post_node<World>;
    static constexpr bool native = std::is_same_v<World, native_world>;
    struct no_io {
        template <class Run>
        void poll(Run&&) {}
        bool empty() const { return true; }
        bool has_carry() const { return false; }
    };

public:
    static constexpr bool timers_on_loop_clock = true;  // loop_thread_queues.hpp: virtual time applies

    basic_loop() = default;
    basic_loop(const basic_loop&) = delete;
    basic_loop& operator=(const basic_loop&) = delete;
    // Single-threaded by now; nodes still queued (posted after the last
    // run() returned) are freed unrun.
    ~basic_loop() {
        for (node* n = channel_.take(); n != nullptr;) {
            node* next = n->next.load();
            post_nodes<World>::give_back(n);
            n = next;
        }
    }

    // Backpressure (high_water.hpp): with a mark set (before the loop is
    // shared; 0, the default, is none), at most `mark` posted tasks wait
    // to run. post() then answers full instead of queueing; post_wait(),
    // for worker threads only, waits for a place.
    void set_high_water(std::uint32_t mark) { water_.set_mark(mark); }
    std::uint32_t peak_queued() const { return water_.peak(); }

    post_status post(task t) {
        if (!water_.try_reserve()) return post_status::full;
        return admit(t);
    }
    post_status post_wait(task t) {
        water_.reserve();
        return admit(t);
    }
    void enqueue(task t) { local_.enqueue(t); }
    void next_tick(task t) { local_.next_tick(t); }
    void microtask(task t) { local_.microtask(t); }
    void immediate(task t) { local_.immediate(t); }
    bool defer(deferred_task t) { return local_.defer(t); }
    timer_id set_timer(std::uint64_t delay_ms, task t) { return local_.set_timer(delay_ms, t); }
    bool cancel_timer(timer_id id) { return local_.cancel_timer(id); }
    void ref() { gate_.ref(); }
    void unref() {
        if (gate_.unref()) channel_.wake();  // run() may return now
    }
    void close() { gate_.close(); }
    // Loop thread: t runs at the start of every turn, before the timer
    // phase (libuv's prepare handle; Bun drains its signal ring at the top
    // of its tick). One hook; task{} removes it.
    void set_turn_hook(task t) { hook_ = t; }
    // Any thread, and natively from a signal handler (an eventfd write; the
    // polling channel never sleeps): ends the loop's current or next sleep,
    // so the next turn runs its hook.
    void wake() { channel_.wake(); }

    // Readiness-based I/O, natively (io_poller.hpp): loop thread. The I/O
    // phase runs after the timers, before the tasks.
    io_id read_stream(int fd, io_trigger trig, io_reader r)
        requires native
    {
        if (!io_watched_) {
            channel_.watch_fd(io_.fd());
            io_watched_ = true;
        }
        return io_.read_stream(fd, trig, r);
    }
    bool stop_reading(io_id id)
        requires native
    {
        return io_.stop_reading(id);
    }

    // A turn: the hook, timers, I/O, then posted tasks and the FIFO, then
    // immediates (contract.hpp); the hook runs as a callback (contained,
    // timed, drained). The loop sleeps only when the FIFO and the immediate
    // queue are empty and no edge-triggered fd has data left, until a
    // wake-up, a readable fd or the next timer's deadline; it returns when,
    // besides, no timer is pending, no fd is watched and nothing is
    // referenced (accepted posts hold references, so none is waiting).
    void run() {
        for (;;) {
            if (hook_.fn != nullptr) local_.run_one(hook_);
            local_.run_timers();
            if constexpr (Policy::io_every_turn) poll_io();
            take_posted();
            local_.take_arrived();
            local_.run_fifo([this] {
                water_.release();  // its place below the high-water mark
                gate_.unref();     // the posted task's reference
            });
            local_.run_immediates();
            take_posted();  // posted during the turn: no sleep
            if constexpr (!Policy::io_every_turn) {
                if (local_.idle()) poll_io();
            }
            if (!local_.idle() || io_.has_carry()) continue;
            const int budget = local_.sleep_budget_ms();
            if (budget < 0 && gate_.unreferenced() && io_.empty()) return;
            if (budget == 0) continue;
            if (budget > 0 && loop_clock::is_virtual()) {
                loop_clock::skip(static_cast<std::uint64_t>(budget));
                continue;
            }
            channel_.sleep(budget);
        }
    }

    std::uint64_t wake_writes() const { return channel_.wake_writes(); }

    // Failure isolation and the stall detector (loop_thread_queues.hpp);
    // loop thread, or after run() returned.
    std::uint64_t failures() const { return local_.failures(); }
    std::exception_ptr first_failure() const { return local_.first_failure(); }
    void set_stall_quota(std::uint64_t ns) { local_.set_stall_quota(ns); }
    std::uint64_t stall_count() const { return local_.stall_count(); }
    const std::vector<loop_stall>& stalls() const { return local_.stalls(); }

private:
    void poll_io() {
        io_.poll([this](task name, auto&& f) { local_.run_callable(name, f); });
    }
    post_status admit(task t) {
        if (gate_.admit([&] {
                node* n = post_nodes<World>::take();
                n->t = t;
                channel_.post(n);
            }))
            return post_status::accepted;
        water_.release();
        return post_status::refused;
    }

    // Every posted task, in post order, off the channel.
    void take_posted() {
        for (node* n = channel_.take(); n != nullptr;) {
            node* next = n->next.load();
            if constexpr (Policy::free_node_first) {
                post_nodes<World>::give_back(n);
                local_.arrived(n->t);  // reads the node given back
            } else {
                local_.arrived(n->t);
                post_nodes<World>::give_back(n);
            }
            n = next;
        }
    }

    Channel channel_;
    task hook_{};
    std::conditional_t<native, io_poller<typename Policy::io>, no_io> io_;  // loop thread only
    bool io_watched_ = false;
    loop_gate<World> gate_;
    high_water<World, typename Policy::water> water_;
    loop_thread_queues<Timers, Policy::timers_set_before_phase, typename Policy::queues> local_;  // loop thread only
};

}  // namespace gauntlet
