// chase_lev_le2013: the Chase–Lev work-stealing deque in the C11 code of
// N. M. Lê, A. Pop, A. Cohen, F. Zappa Nardelli, "Correct and Efficient
// Work-Stealing for Weak Memory Models", PPoPP 2013, Fig. 1, ported as
// published (origin `published`: what the checks find in it is a finding, and
// is never repaired here; the repaired algorithm is chase_lev.hpp).
//
// What is the paper's, step by step (the labels are the paper's functions):
//   take (the owner's pop)
//     b = bottom.load(relaxed) - 1; a = array.load(relaxed);
//     bottom.store(b, relaxed); fence(seq_cst); t = top.load(relaxed);
//     if t <= b: x = a[b % size] (relaxed);
//                if t == b: CAS top t -> t+1 (seq_cst, fail relaxed), a lost
//                           race makes x EMPTY; bottom.store(b + 1, relaxed)
//     else: x = EMPTY; bottom.store(b + 1, relaxed)
//   push
//     b = bottom.load(relaxed); t = top.load(acquire); a = array.load(relaxed);
//     if b - t > size - 1: resize, a = array.load(relaxed);
//     a[b % size] = x (relaxed); fence(release); bottom.store(b + 1, relaxed)
//   steal
//     t = top.load(acquire); fence(seq_cst); b = bottom.load(acquire);
//     if t < b: a = array.load(consume); x = a[t % size] (relaxed);
//               CAS top t -> t+1 (seq_cst, fail relaxed), failure: ABORT
//     else EMPTY
// Indices are size_t, as in the paper. Consume is compiled as acquire (what
// every C++ compiler does; Relacy has no consume).
//
// What is this port's own, because Fig. 1 does not give it:
//   * resize: Fig. 1 calls resize(q) without listing it. Here it allocates an
//     array of twice the size, copies the items of [top, bottom) with relaxed
//     loads and stores, and publishes it with a release store of `array`
//     (Orders::publish_array): the store a thief's consume load pairs with.
//   * reclamation: the paper does not reclaim a replaced array (a thief may
//     still be reading it). This port keeps every replaced array on a chain
//     owned by the deque and frees the chain in the destructor: memory grows
//     with every resize until the deque dies, as published (no reclamation
//     during its life).
//   * the array's size is world data (World::var), so that an array read
//     without happening after its construction is a race the model reports;
//     the paper's field is a plain size_t.
//
// Steal answers: success | empty | abort (a failed CAS on top).
//
// Orders: the policy parameter exists for the mutants (catalogue.hpp); the
// default is the paper's code.
#pragma once

#include <atomic>
#include <cstddef>

#include "primitives/cache_padded.hpp"
#include "primitives/deque/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct le2013_orders {
    static constexpr bool take_fence = true;                                    // fence(seq_cst) in take
    static constexpr bool steal_fence = true;                                   // fence(seq_cst) in steal
    static constexpr std::memory_order steal_cas = std::memory_order_seq_cst;  // the CAS on top in steal
    static constexpr std::memory_order publish_array = std::memory_order_release;  // resize's store of array
};

template <world World, class T, class Orders = le2013_orders>
class chase_lev_le2013 {
    template <class U>
    using atomic = typename World::template atomic<U>;
    template <class U>
    using var = typename World::template var<U>;

    struct array {
        explicit array(std::size_t n) : size(n), buffer(new atomic<T>[n]), marks(n) {}
        ~array() { delete[] buffer; }
        array(const array&) = delete;
        array& operator=(const array&) = delete;
        var<std::size_t> size;
        atomic<T>* buffer;
        witness_row<World> marks;  // ghost, not in the paper: see steal
        array* replaced = nullptr;  // this port's chain of replaced arrays (owner only)
    };

public:
    explicit chase_lev_le2013(std::size_t capacity = 64) {
        array_->store(World::template make<array>(capacity < 1 ? 1 : capacity), std::memory_order_relaxed);
    }
    chase_lev_le2013(const chase_lev_le2013&) = delete;
    chase_lev_le2013& operator=(const chase_lev_le2013&) = delete;
    ~chase_lev_le2013() {
        array* a = array_->load(std::memory_order_relaxed);
        while (a) {
            array* next = a->replaced;
            World::destroy(a);
            a = next;
        }
    }

    // push(q, x)
    bool push(T x) {
        const std::size_t b = bottom_->load(std::memory_order_relaxed);
        const std::size_t t = top_->load(std::memory_order_acquire);
        array* a = array_->load(std::memory_order_relaxed);
        if (b - t > a->size.load() - 1) {  // full queue
            resize();
            a = array_->load(std::memory_order_relaxed);
        }
        a->marks.touch(b % a->size.load());
        a->buffer[b % a->size.load()].store(x, std::memory_order_relaxed);
        World::fence(std::memory_order_release);
        bottom_->store(b + 1, std::memory_order_relaxed);
        return true;
    }

    // take(q): EMPTY is `false`.
    bool pop(T& out) {
        const std::size_t b = bottom_->load(std::memory_order_relaxed) - 1;
        array* a = array_->load(std::memory_order_relaxed);
        bottom_->store(b, std::memory_order_relaxed);
        if constexpr (Orders::take_fence) World::fence(std::memory_order_seq_cst);
        std::size_t t = top_->load(std::memory_order_relaxed);
        bool got;
        if (t <= b) {  // non-empty queue
            out = a->buffer[b % a->size.load()].load(std::memory_order_relaxed);
            got = true;
            if (t == b) {  // single last element in queue
                if (!top_->compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed))
                    got = false;  // failed race
                bottom_->store(b + 1, std::memory_order_relaxed);
            }
        } else {  // empty queue
            got = false;
            bottom_->store(b + 1, std::memory_order_relaxed);
        }
        return got;
    }

    // steal(q)
    steal_status steal(T& out) {
        std::size_t t = top_->load(std::memory_order_acquire);
        if constexpr (Orders::steal_fence) World::fence(std::memory_order_seq_cst);
        const std::size_t b = bottom_->load(std::memory_order_acquire);
        if (t < b) {  // non-empty queue
            array* a = array_->load(std::memory_order_acquire);  // consume, compiled as acquire
            const T x = a->buffer[t % a->size.load()].load(std::memory_order_relaxed);
            // Ghost (world.hpp, witness): no code in any world but the model's
            // witness world, where it states what the CAS's release half is
            // for: this read happens before push's next write of the cell.
            a->marks.touch(t % a->size.load());
            if (!top_->compare_exchange_strong(t, t + 1, Orders::steal_cas, std::memory_order_relaxed))
                return steal_status::abort;  // failed race
            out = x;
            return steal_status::success;
        }
        return steal_status::empty;
    }

private:
    // Owner only (called from push). Not in Fig. 1: see the header.
    void resize() {
        array* a = array_->load(std::memory_order_relaxed);
        const std::size_t t = top_->load(std::memory_order_relaxed);
        const std::size_t b = bottom_->load(std::memory_order_relaxed);
        const std::size_t old_size = a->size.load(), new_size = 2 * old_size;
        array* n = World::template make<array>(new_size);
        for (std::size_t i = t; i != b; ++i)
            n->buffer[i % new_size].store(a->buffer[i % old_size].load(std::memory_order_relaxed),
                                          std::memory_order_relaxed);
        n->replaced = a;  // kept until the destructor (the paper does not reclaim)
        array_->store(n, Orders::publish_array);
    }

    cache_padded<atomic<std::size_t>> top_{};
    cache_padded<atomic<std::size_t>> bottom_{};
    cache_padded<atomic<array*>> array_{};
};

}  // namespace gauntlet
