// basic_loop: the half every variant shares (contract.hpp), over a channel
// (channels.hpp) that is the cross-thread half: the task FIFO and the drain
// of next ticks and microtasks (loop_thread_queues.hpp), admission,
// keep-alive and close (loop_gate.hpp), and the run() exit rule. A refused
// post allocates nothing; the loop drops a posted task's reference after
// the task and its drain have run, so run() cannot return while an accepted
// task waits.
#pragma once

#include <atomic>
#include <cstdint>

#include "primitives/loop/channels.hpp"
#include "primitives/loop/contract.hpp"
#include "primitives/loop/loop_gate.hpp"
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
    basic_loop() = default;
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
        return gate_.admit([&] {
            node* n = World::template make<node>();
            n->t = t;
            channel_.post(n);
        })
                   ? post_status::accepted
                   : post_status::refused;
    }
    void enqueue(task t) { local_.enqueue(t); }
    void next_tick(task t) { local_.next_tick(t); }
    void microtask(task t) { local_.microtask(t); }
    void ref() { gate_.ref(); }
    void unref() {
        if (gate_.unref()) channel_.wake();  // run() may return now
    }
    void close() { gate_.close(); }

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
                if (gate_.unreferenced()) return;
                channel_.sleep();
                continue;
            }
            local_.run_fifo([this] { gate_.unref(); });  // the posted task's reference
        }
    }

    std::uint64_t wake_writes() const { return channel_.wake_writes(); }

private:
    Channel channel_;
    loop_gate<World> gate_;
    loop_thread_queues local_;  // loop thread only
};

}  // namespace gauntlet
