// basic_loop: the loop-thread half every variant shares (contract.hpp: the
// task FIFO and the drain of next ticks and microtasks after every task, in
// loop_thread_queues.hpp; the keep-alive count, the run() exit rule,
// refusal after close), over a channel (channels.hpp) that is the
// cross-thread half.
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

#include "primitives/lifecycle/packed_lifecycle.hpp"
#include "primitives/loop/channels.hpp"
#include "primitives/loop/contract.hpp"
#include "primitives/loop/loop_thread_queues.hpp"
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
    void enqueue(task t) { local_.enqueue(t); }
    void next_tick(task t) { local_.next_tick(t); }
    void microtask(task t) { local_.microtask(t); }
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
                    local_.enqueue(n->t, true);  // reads the freed node
                } else {
                    local_.enqueue(n->t, true);
                    World::destroy(n);
                }
                n = next;
            }
            if (local_.empty()) {
                if (refs_.load(std::memory_order_acquire) == 0) return;
                channel_.sleep();
                continue;
            }
            local_.run_fifo([this] { refs_.fetch_sub(1, std::memory_order_acq_rel); });
        }
    }

    std::uint64_t wake_writes() const { return channel_.wake_writes(); }

private:
    Channel channel_;
    typename World::template atomic<std::uint32_t> refs_{0};
    packed_lifecycle<World> life_;
    loop_thread_queues local_;  // loop thread only
};

}  // namespace gauntlet
