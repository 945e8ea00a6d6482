// michael_scott_queue: unbounded lock-free MPMC linked queue, nodes reclaimed
// with hazard pointers.
//
// Contract (queue.mpmc.unbounded):
//   - any number of threads push and pop;
//   - linearizable: push linearizes at the CAS that links its node behind the
//     last node (E2), a successful pop at the CAS that swings head (D4), an
//     empty pop at the load of head->next that returned null (D2) while head
//     was still that node;
//   - lock-free: a CAS fails only because another operation's CAS succeeded;
//     a lagging tail is advanced by whoever sees it (helping);
//   - every node is freed exactly once and never while a thread may still
//     read it (hazard_pointers.hpp); try_push allocates one node and always
//     succeeds.
//
// Algorithm: M. M. Michael and M. L. Scott, "Simple, Fast, and Practical
// Non-Blocking and Blocking Concurrent Queue Algorithms", PODC 1996, with the
// dummy node; reclamation as in M. M. Michael, "Hazard Pointers", TPDS 2004,
// section 5 (two hazard slots: the node at head/tail and its successor).
//
// Cost: push = allocation + hazard publication + two CAS (link, swing tail);
// pop = two hazard publications + one CAS + an amortised scan; head and tail
// sit on separate granules. Slower than a ring for bounded use; use it when
// the queue must be unbounded and multi-consumer without a lock.
//
// `Policy` carries the memory order of each labelled step, the
// reclamation choices and how the destructor frees the list; `michael_scott_policy` is the correct one, mutants
// change one item (catalogue: mutants).
#pragma once

#include <atomic>
#include <cstddef>

#include "primitives/cache_padded.hpp"
#include "primitives/queues/hazard_pointers.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

// How the destructor frees the list it still holds.
enum class michael_scott_teardown {
    walk,              // read each node's link, then free the node
    free_then_follow,  // free the node, then read its link (use after free)
    dummy_only,        // free the dummy alone: items still queued leak
};

struct michael_scott_policy {
    // E2: linking the new node. Release publishes its value to the consumer
    // whose D2 load (acquire) reads the link.
    static constexpr std::memory_order link = std::memory_order_release;
    // D2: reading head->next. Acquire pairs with E2.
    static constexpr std::memory_order follow = std::memory_order_acquire;
    // After publishing a hazard pointer, re-read the source to confirm the
    // node was not unlinked (and possibly freed) before the publication.
    static constexpr bool validate_hazards = true;
    // Hand unlinked nodes to the hazard domain (true) rather than freeing them
    // at once.
    static constexpr bool defer_free = true;
    static constexpr michael_scott_teardown teardown = michael_scott_teardown::walk;
};

template <world World, class T, class Policy = michael_scott_policy>
class michael_scott_queue {
    template <class U>
    using atomic = typename World::template atomic<U>;

    struct node {
        atomic<node*> next{nullptr};
        typename World::template var<T> value;
    };

    using domain = hazard_domain<World, 2>;
    using holder = typename domain::holder;

public:
    explicit michael_scott_queue(std::size_t /*capacity hint: unbounded*/ = 0) {
        node* dummy = World::template make<node>();
        head_->store(dummy, std::memory_order_relaxed);
        tail_->store(dummy, std::memory_order_relaxed);
    }
    michael_scott_queue(const michael_scott_queue&) = delete;
    michael_scott_queue& operator=(const michael_scott_queue&) = delete;

    // Single-threaded by now: the list from head (the dummy) on is live;
    // retired nodes belong to the domain.
    ~michael_scott_queue() {
        node* n = head_->load(std::memory_order_relaxed);
        if constexpr (Policy::teardown == michael_scott_teardown::dummy_only) {
            World::destroy(n);
            return;
        }
        while (n != nullptr) {
            if constexpr (Policy::teardown == michael_scott_teardown::free_then_follow) {
                World::destroy(n);
                n = n->next.load(std::memory_order_relaxed);
            } else {
                node* next = n->next.load(std::memory_order_relaxed);
                World::destroy(n);
                n = next;
            }
        }
    }

    bool try_push(T v) {
        node* n = World::template make<node>();
        n->value.store(v);  // published by E2
        holder h(domain_);
        for (;;) {
            node* tail = guard(h, 0, *tail_);                          // E1
            // acquire: a helper's E3 passes the linker's publication of
            // next on to whoever reads tail after it.
            node* next = tail->next.load(std::memory_order_acquire);
            // sweep: relaxed by argument: tail is only compared (is it still
            // tail?); nothing is read through this load, and it cannot move
            // before the acquire load above. Weakened from acquire with the
            // queue model and the ThreadSanitizer stress passing.
            if (tail != tail_->load(std::memory_order_relaxed)) continue;
            if (next != nullptr) {
                // Tail lags: help it forward, then retry. Every CAS that
                // moves tail is seq_cst (E3): a node leaves tail before it can
                // be retired, and a producer's validation of tail (H2) must
                // see that in the single order S (hazard_pointers.hpp); on
                // x86 it is the same locked instruction as a release CAS.
                // sweep: the hazard pointers' store-load pair (H2 in
                // hazard_pointers.hpp) needs this CAS in the single order S;
                // the sweep weakens one site at a time and Relacy's other
                // seq_cst operations hide it.
                tail_->compare_exchange_strong(tail, next, std::memory_order_seq_cst,
                                               std::memory_order_relaxed);
                continue;
            }
            node* expected = nullptr;
            if (tail->next.compare_exchange_strong(expected, n, Policy::link,
                                                   std::memory_order_relaxed)) {  // E2: linearization point
                // E3: swing tail (seq_cst, as above); failure means someone
                // helped.
                tail_->compare_exchange_strong(tail, n, std::memory_order_seq_cst,
                                               std::memory_order_relaxed);
                return true;
            }
        }
    }

    bool try_pop(T& out) {
        holder h(domain_);
        for (;;) {
            node* head = guard(h, 0, *head_);                        // D1
            // sweep: relaxed by argument: tail is only compared with head
            // and passed as a CAS's expected value; the node the help CAS
            // publishes is next, read through D2's acquire. Weakened from
            // acquire with the queue model and the ThreadSanitizer stress
            // passing.
            node* tail = tail_->load(std::memory_order_relaxed);
            node* next = head->next.load(Policy::follow);            // D2
            // Protect next, then confirm head is still head: while it is,
            // next is reachable and not retired.
            h.set(1, next);
            // sweep: D3 is the validation half of the hazard pointers'
            // store-load pair for next (H1/H2 in hazard_pointers.hpp); the
            // sweep weakens one site at a time and Relacy's other seq_cst
            // operations hide it.
            if (head != head_->load(std::memory_order_seq_cst)) continue;  // D3
            if (next == nullptr) return false;  // empty at D2
            if (head == tail) {
                // Tail lags behind a linked node: help (E3, seq_cst), retry.
                tail_->compare_exchange_strong(tail, next, std::memory_order_seq_cst,
                                               std::memory_order_relaxed);
                continue;
            }
            // D4: swing head; seq_cst so that the unlink precedes the retire's
            // scan in S (hazard_pointers.hpp). Linearization point.
            if (head_->compare_exchange_strong(head, next, std::memory_order_seq_cst,
                                               std::memory_order_relaxed)) {
                // next is the new dummy; its value is ours, and only consumers
                // that held head read it (reads, no race).
                out = next->value.load();
                if constexpr (Policy::defer_free)
                    h.retire(head);
                else
                    World::destroy(head);
                return true;
            }
        }
    }

private:
    node* guard(holder& h, std::size_t slot, const atomic<node*>& src) {
        if constexpr (Policy::validate_hazards) {
            return h.protect(slot, src);
        } else {
            node* p = src.load(std::memory_order_acquire);
            h.set(slot, p);  // published, never re-checked
            return p;
        }
    }

    cache_padded<atomic<node*>> head_{nullptr};
    cache_padded<atomic<node*>> tail_{nullptr};
    domain domain_;
};

}  // namespace gauntlet
