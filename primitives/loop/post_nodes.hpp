// Where a loop's post nodes come from (basic_loop.hpp): post() takes one on
// the posting thread, the loop thread gives it back after copying its task.
//
// In most worlds (Relacy; sanitizer builds) a node is World::make'd and
// World::destroy'd, so the model and the sanitizers see each node's
// lifetime. Natively a node is allocated once and recycled: a malloc on the
// poster and a free on the loop thread for every post is the producer /
// consumer pattern allocators are slowest at (the free lands in another
// thread's arena). Recycling:
//   * the loop thread pushes a node it is done with on one process-wide
//     stack (a CAS push, release: the node's last use happens before);
//   * a posting thread takes from its own thread-local cache, and when the
//     cache is empty takes the whole stack at once (exchange, acquire) into
//     it, or allocates. Taking the whole stack, never one node, is what keeps
//     the stack free of ABA: no thread pops a node another may be popping.
//   * the cache's nodes are freed when its thread exits; nodes on the stack
//     live as long as the process (at most the peak number in flight).
// A recycled node's task is cleared, so reading a node after giving it back
// (the mutant coalescing_loop.free_before_read) calls a null task natively,
// as it calls a freed one under AddressSanitizer.
#pragma once

#include <atomic>

#include "primitives/loop/channels.hpp"
#include "primitives/native_world.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World>
struct post_nodes {
    using node = post_node<World>;
    static node* take() { return World::template make<node>(); }
    static void give_back(node* n) { World::destroy(n); }
};

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GAUNTLET_POST_NODES_PLAIN 1
#endif
#endif
#else
#define GAUNTLET_POST_NODES_PLAIN 1
#endif

#ifndef GAUNTLET_POST_NODES_PLAIN
template <>
struct post_nodes<native_world> {
    using node = post_node<native_world>;

    static node* take() {
        cache& c = local();
        if (c.head == nullptr) c.head = returned().exchange(nullptr, std::memory_order_acquire);
        if (c.head == nullptr) return new node{};
        node* n = c.head;
        c.head = n->next.load();
        return n;
    }
    static void give_back(node* n) {
        n->t = task{};
        std::atomic<node*>& top = returned();
        node* old = top.load(std::memory_order_relaxed);
        do {
            n->next.store(old);
        } while (!top.compare_exchange_weak(old, n, std::memory_order_release, std::memory_order_relaxed));
    }

private:
    struct cache {
        node* head = nullptr;
        ~cache() {
            while (head != nullptr) {
                node* next = head->next.load();
                delete head;
                head = next;
            }
        }
    };
    static cache& local() {
        static thread_local cache c;
        return c;
    }
    static std::atomic<node*>& returned() {
        static std::atomic<node*> top{nullptr};
        return top;
    }
};
#endif

}  // namespace gauntlet
