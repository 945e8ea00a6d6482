// The cross-thread half of a loop: how posts reach the loop thread and how
// the loop sleeps and is woken. basic_loop.hpp owns everything else (the
// keep-alive, the exit rule, shutdown; the task FIFO, next ticks and
// microtasks through loop_thread_queues.hpp), so the variants differ here
// and only here.
//
// A channel has:
//   void post(post_node* n);  any thread: queue n, wake per the policy;
//   post_node* take();        loop thread: every queued node, oldest first
//                             per poster (a null-terminated list);
//   void sleep(int timeout_ms); loop thread: block until a post or wake()
//                             may have arrived, or (timeout_ms >= 0) the
//                             timeout passed (may return spuriously);
//   void wake();              any thread: end the current or next sleep.
//   void watch_fd(int fd);    loop thread, native only: the sleep also
//                             ends when fd is readable (the I/O poller).
//
// Labelled steps (the catalogue's mutants name them):
//   P1 a post links its node (CAS on the stack top, seq_cst);
//   P2 a post reads the sleeping flag and claims the wake-up (exchange,
//      seq_cst) - coalescing only;
//   S1 the loop announces it may sleep (store 1, seq_cst);
//   S2 the loop re-checks the queue after announcing (load, seq_cst).
// P1/P2 against S1/S2 is the store-buffering shape: with all four in the
// single order S, a post that the re-check misses sees the announcement and
// writes the event (litmus SB.seq_cst forbids both missing).
#pragma once

#include <atomic>
#include <mutex>

#include "primitives/loop/contract.hpp"
#include "primitives/loop/wake_event.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World>
struct post_node {
    task t;
    typename World::template var<post_node*> next;
};

// Posts pushed on an intrusive stack (P1), taken all at once by one
// exchange and reversed into post order: an intrusive MPSC queue popped as
// a batch.
template <world World, bool Reverse = true, std::memory_order TakeOrder = std::memory_order_acquire>
class batch_stack {
public:
    using node = post_node<World>;
    void push(node* n) {
        node* old = top_.load(std::memory_order_relaxed);
        for (;;) {
            n->next.store(old);  // published by the CAS
            if (top_.compare_exchange_weak(old, n, std::memory_order_seq_cst, std::memory_order_relaxed)) return;  // P1
        }
    }
    // acquire: the nodes' contents (and what each poster wrote before) are
    // visible to the loop thread.
    node* take() {
        node* n = top_.exchange(nullptr, TakeOrder);
        if constexpr (!Reverse) return n;
        node* fifo = nullptr;
        while (n != nullptr) {
            node* next = n->next.load();
            n->next.store(fifo);
            fifo = n;
            n = next;
        }
        return fifo;
    }
    bool empty(std::memory_order mo) const { return top_.load(mo) == nullptr; }

private:
    typename World::template atomic<node*> top_{nullptr};
};

struct coalescing_policy {
    static constexpr std::memory_order announce = std::memory_order_seq_cst;  // S1
    static constexpr bool recheck = true;                                      // S2
};

// In-house: a post writes the event only when the loop has announced that it
// may sleep, and only the first such post (P2 claims the announcement), so a
// flood of posts to a busy loop costs no system call.
template <world World, class Policy = coalescing_policy>
class coalescing_channel {
public:
    using node = post_node<World>;
    void post(node* n) {
        queue_.push(n);  // P1
        // P2: the seq_cst load is the post's half of the Dekker pair with S1
        // and S2 (the sweep shows it necessary).
        // sweep(rmw): the exchange only picks the one poster that writes
        // the event; the event carries its own order (wake_event's
        // exchange). relaxed by argument; weakened from seq_cst with the
        // loop model and the ThreadSanitizer stress passing.
        if (sleeping_.load(std::memory_order_seq_cst) != 0 && sleeping_.exchange(0, std::memory_order_relaxed) != 0)
            event_.signal();
    }
    node* take() { return queue_.take(); }
    void sleep(int timeout_ms) {
        sleeping_.store(1, Policy::announce);  // S1
        if constexpr (Policy::recheck) {
            if (!queue_.empty(std::memory_order_seq_cst)) {  // S2
                sleeping_.store(0, std::memory_order_relaxed);
                return;
            }
        }
        event_.wait(timeout_ms);
        // After a timeout a post may still claim the announcement and write
        // the event: the next sleep then returns at once, once.
        sleeping_.store(0, std::memory_order_relaxed);
    }
    void wake() { event_.signal(); }
    void watch_fd(int fd) { event_.watch(fd); }  // native: the sleep also ends when fd is readable
    std::uint64_t wake_writes() const { return event_.signals(); }

private:
    batch_stack<World> queue_;
    typename World::template atomic<std::uint32_t> sleeping_{0};
    wake_event<World> event_;
};

// Seed 004 (Bun): posts go on the concurrent queue and every post wakes the
// loop (Bun's enqueueTaskConcurrent ends with a wakeup of the loop; the seed
// is silent on when a post wakes). The event is sticky, so the sleep needs no
// announcement: a post that lands before the wait has already written it.
template <world World, bool Reverse = true, std::memory_order TakeOrder = std::memory_order_acquire>
class wake_every_post_channel {
public:
    using node = post_node<World>;
    void post(node* n) {
        queue_.push(n);
        event_.signal();
    }
    node* take() { return queue_.take(); }
    void sleep(int timeout_ms) {
        if (queue_.empty(std::memory_order_acquire)) event_.wait(timeout_ms);
    }
    void wake() { event_.signal(); }
    void watch_fd(int fd) { event_.watch(fd); }  // native: the sleep also ends when fd is readable
    std::uint64_t wake_writes() const { return event_.signals(); }

private:
    batch_stack<World, Reverse, TakeOrder> queue_;
    wake_event<World> event_;
};

// A list and a sleeping flag under one mutex: the announcement and the
// re-check are one critical section, so no order needs arguing.
template <world World>
class mutex_channel {
public:
    using node = post_node<World>;
    void post(node* n) {
        n->next.store(nullptr);
        bool was_sleeping;
        {
            std::lock_guard<typename World::mutex> lock(mutex_);
            node* tail = tail_.load();
            if (tail == nullptr)
                head_.store(n);
            else
                tail->next.store(n);
            tail_.store(n);
            was_sleeping = sleeping_.load();
            sleeping_.store(false);
        }
        if (was_sleeping) event_.signal();
    }
    node* take() {
        std::lock_guard<typename World::mutex> lock(mutex_);
        node* n = head_.load();
        head_.store(nullptr);
        tail_.store(nullptr);
        return n;
    }
    void sleep(int timeout_ms) {
        {
            std::lock_guard<typename World::mutex> lock(mutex_);
            if (head_.load() != nullptr) return;
            sleeping_.store(true);
        }
        event_.wait(timeout_ms);
        std::lock_guard<typename World::mutex> lock(mutex_);
        sleeping_.store(false);
    }
    void wake() { event_.signal(); }
    void watch_fd(int fd) { event_.watch(fd); }  // native: the sleep also ends when fd is readable
    std::uint64_t wake_writes() const { return event_.signals(); }

private:
    typename World::mutex mutex_;
    typename World::template var<node*> head_{nullptr};
    typename World::template var<node*> tail_{nullptr};
    typename World::template var<bool> sleeping_{false};
    wake_event<World> event_;
};

// Seed 000's "bad idea": never sleep, poll the queue. Correct; the
// benchmarks show what the spinning costs.
template <world World>
class polling_channel {
public:
    using node = post_node<World>;
    void post(node* n) { queue_.push(n); }
    node* take() { return queue_.take(); }
    void sleep(int) { World::spin_hint(); }
    void wake() {}
    void watch_fd(int) {}  // never sleeps: every turn polls
    std::uint64_t wake_writes() const { return 0; }

private:
    batch_stack<World> queue_;
};

}  // namespace gauntlet
