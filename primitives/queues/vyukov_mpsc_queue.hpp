// vyukov_mpsc_queue: unbounded multi-producer single-consumer queue; an
// intrusive core (`vyukov_intrusive_mpsc`) and a value wrapper that allocates
// one node per item (`vyukov_mpsc_queue`, the catalogue's shape).
//
// Contract (queue.mpsc.unbounded):
//   - any number of threads push, one thread pops;
//   - push is wait-free: one exchange and one store, no loop; it never fails
//     (try_push always returns true; the wrapper allocates a node);
//   - pop is wait-free but may report "appeared empty" while a push is in
//     flight: a producer that has swung `tail` (A) but not yet linked its
//     predecessor (B) hides its own item and every item pushed after it until
//     it links. A pop returns false in that window although later pushes have
//     returned, so the queue is NOT linearizable for the empty outcome; items
//     of one producer are popped in push order and every item is popped
//     exactly once once its producer has returned (catalogue order:
//     fifo_per_producer). A caller that must not miss work re-polls after the
//     producer's wake-up signal, as an event loop does.
//
// Algorithm: D. Vyukov, "Intrusive MPSC node-based queue", 1024cores.net,
// with its stub node. It is the shape of Bun's concurrent task queue
// (seed 004: ConcurrentTask.Queue, producers on any thread, the event loop
// drains): producers exchange the tail, then link; the consumer walks `next`
// pointers and recognises the "in-between" state (tail moved, link missing).
//
// Linearization points: push at the exchange A (its position in the final
// order); pop at the acquire load of `next` (C) that found its item.
//
// Cost: push = one exchange on the shared tail line (contended among
// producers) + one store into the predecessor node; pop touches only nodes and
// its private head, plus one load of tail in the rare in-between check.
// Use for many-to-one hand-off (cross-thread task submission to a loop).
#pragma once

#include <atomic>
#include <cstddef>

#include "primitives/cache_padded.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct vyukov_mpsc_orders {
    // A: the tail exchange. Acquire: the producer next writes into the node
    // it got back (B), which another producer initialised (next = null) before
    // its own exchange; release: publishes this node's next = null to the
    // producer that will link after it.
    static constexpr std::memory_order swap_tail = std::memory_order_acq_rel;
    // B: linking the predecessor to the new node. Release pairs with C: the
    // node's payload, written before A, is visible to the consumer that
    // follows the link.
    static constexpr std::memory_order link = std::memory_order_release;
    // C: the consumer follows `next`. Acquire pairs with B.
    static constexpr std::memory_order follow = std::memory_order_acquire;
};

// The link a node type embeds as a member named `next`.
template <world World, class Node>
struct mpsc_hook {
    typename World::template atomic<Node*> next{nullptr};
};

// Intrusive core: Node has a public member `mpsc_hook<World, Node> hook` and is
// default-constructible (one Node is the stub). The queue never allocates or
// frees; pop hands the node back to the caller.
template <world World, class Node, class Orders = vyukov_mpsc_orders>
class vyukov_intrusive_mpsc {
public:
    vyukov_intrusive_mpsc() : tail_(&stub_), head_(&stub_) {}
    vyukov_intrusive_mpsc(const vyukov_intrusive_mpsc&) = delete;
    vyukov_intrusive_mpsc& operator=(const vyukov_intrusive_mpsc&) = delete;

    // Any thread.
    void push(Node* n) {
        n->hook.next.store(nullptr, std::memory_order_relaxed);  // published by A
        // acq_rel orders each node's nulling of its next (above), and its
        // allocation, before the next producer's B on it: release here,
        // acquire in the next producer's A (relaxed, B could land first and
        // be overwritten by the null; ThreadSanitizer reports B against the
        // allocation). The consumer's stub push relies on its acquire too
        // (pop). The sweep shows it necessary.
        Node* prev = tail_->exchange(n, Orders::swap_tail);      // A: linearization point
        // In-between: tail is n, prev->next is still null.
        prev->hook.next.store(n, Orders::link);  // B
    }

    // Consumer only. nullptr: appeared empty (empty, or the next item's
    // producer is between A and B).
    Node* pop() {
        Node* head = head_;
        Node* next = head->hook.next.load(Orders::follow);  // C
        if (head == &stub_) {
            if (next == nullptr) return nullptr;  // empty (or in-between)
            head_ = next;                         // skip the stub
            head = next;
            next = next->hook.next.load(Orders::follow);  // C
        }
        if (next != nullptr) {
            head_ = next;
            return head;
        }
        // head is the last linked node. If tail moved past it, a producer is
        // in-between: report empty rather than wait for it.
        // sweep: relaxed by argument: tail is only compared with head;
        // nothing is read through it. Weakened from acquire with the queue
        // model and the ThreadSanitizer stress passing.
        Node* tail = tail_->load(std::memory_order_relaxed);
        if (tail != head) return nullptr;
        // head is the last node: re-insert the stub behind it so head can be
        // handed out while the queue keeps a node.
        push(&stub_);
        // sweep: C, acquire (Orders::follow), as the other two: when a producer
        // overtook the stub push, head's next is that producer's B, and the
        // caller frees head right after this load. The stub push's exchange
        // acquires only the producer's A, and B comes after A in its
        // program, so nothing else orders B before the free. This load was
        // once relaxed on the argument that the exchange had acquired the
        // link; the ThreadSanitizer stress then reported the free racing
        // with B (a CI run, replay: queue_stress --entry vyukov_mpsc_queue
        // --seed 1795947195093886449; 12 of 30 runs with three at once).
        next = head->hook.next.load(Orders::follow);
        if (next != nullptr) {
            head_ = next;
            return head;
        }
        return nullptr;  // a producer overtook the stub push and is in-between
    }

private:
    Node stub_;
    cache_padded<typename World::template atomic<Node*>> tail_;  // producers' line
    Node* head_;                                                   // consumer-private
};

// Value queue over the intrusive core: one World::make'd node per item.
template <world World, class T, class Orders = vyukov_mpsc_orders>
class vyukov_mpsc_queue {
    struct node {
        mpsc_hook<World, node> hook;
        typename World::template var<T> value;
    };

public:
    explicit vyukov_mpsc_queue(std::size_t /*capacity hint: unbounded*/ = 0) {}
    vyukov_mpsc_queue(const vyukov_mpsc_queue&) = delete;
    vyukov_mpsc_queue& operator=(const vyukov_mpsc_queue&) = delete;

    ~vyukov_mpsc_queue() {
        // Single-threaded by now: free what was never popped.
        while (node* n = core_.pop()) World::destroy(n);
    }

    // Any thread; never fails.
    bool try_push(T v) {
        node* n = World::template make<node>();
        n->value.store(v);
        core_.push(n);
        return true;
    }

    // Consumer only; false: appeared empty (see the contract above).
    bool try_pop(T& out) {
        node* n = core_.pop();
        if (n == nullptr) return false;
        out = n->value.load();
        World::destroy(n);  // no producer touches n after its successor's B
        return true;
    }

private:
    vyukov_intrusive_mpsc<World, node, Orders> core_;
};

}  // namespace gauntlet
