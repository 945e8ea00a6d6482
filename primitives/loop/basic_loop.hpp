// basic_loop: the loop-thread half every variant shares (contract.hpp: the
// task FIFO, the drain of next ticks and microtasks after every task, the
// keep-alive count, the run() exit rule, refusal after close), over a
// channel (channels.hpp) that is the cross-thread half.
//
// Shutdown goes through the lifecycle state machine
// (primitives/lifecycle/packed_lifecycle.hpp): post() is admitted by
// try_enter() and leaves by exit(); close() is drain(). Once any thread has
// observed DRAINING no post is admitted, and a refused post allocates
// nothing. An admitted post takes a keep-alive reference before it queues
// its node; the loop drops it after the task and its drain have run, so
// run() cannot return while an accepted task waits.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>

#include "primitives/lifecycle/packed_lifecycle.hpp"
#include "primitives/loop/channels.hpp"
#include "primitives/loop/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct basic_loop_policy {
    // Moving a posted node to the FIFO: copy its task out, then free it.
    static constexpr bool free_node_first = false;
};

template <world World, class Channel, class Policy = basic_loop_policy>
class basic_loop {
    using node = post_node<World>;

public:
    basic_loop() { life_.start(); }
    basic_loop(const basic_loop&) = delete;
    basic_loop& operator=(const basic_loop&) = delete;
    // Single-threaded by now; nodes still queued (posted after the last
    // run() returned) are freed unrun.
    ~basic_loop() {
        for (node* n = channel_.take(); n != nullptr;) {
            node* next = n->next.load();
            World::destroy(n);
            n = next;
        }
    }

    post_status post(task t) {
        if (!life_.try_enter()) return post_status::refused;
        refs_.fetch_add(1, std::memory_order_acq_rel);  // held by the task until it has run
        node* n = World::template make<node>();
        n->t = t;
        channel_.post(n);
        life_.exit();
        return post_status::accepted;
    }
    void enqueue(task t) { fifo_.push_back({t, false}); }
    void next_tick(task t) { ticks_.push_back(t); }
    void microtask(task t) { micros_.push_back(t); }
    void ref() { refs_.fetch_add(1, std::memory_order_acq_rel); }
    void unref() {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) channel_.wake();  // run() may return now
    }
    void close() { life_.drain(); }

    void run() {
        for (;;) {
            for (node* n = channel_.take(); n != nullptr;) {
                node* next = n->next.load();
                if constexpr (Policy::free_node_first) {
                    World::destroy(n);
                    fifo_.push_back({n->t, true});  // reads the freed node
                } else {
                    fifo_.push_back({n->t, true});
                    World::destroy(n);
                }
                n = next;
            }
            if (fifo_.empty()) {
                if (refs_.load(std::memory_order_acquire) == 0) return;
                channel_.sleep();
                continue;
            }
            while (!fifo_.empty()) {
                const entry e = fifo_.front();
                fifo_.pop_front();
                e.t();
                drain();
                if (e.posted) refs_.fetch_sub(1, std::memory_order_acq_rel);
            }
        }
    }

    std::uint64_t wake_writes() const { return channel_.wake_writes(); }

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

    Channel channel_;
    typename World::template atomic<std::uint32_t> refs_{0};
    packed_lifecycle<World> life_;
    std::deque<entry> fifo_;  // loop thread only
    std::deque<task> ticks_, micros_;
};

}  // namespace gauntlet
