// spsc_ring: bounded single-producer single-consumer ring buffer.
//
// Contract (queue.spsc.bounded):
//   - one producer thread calls try_push, one consumer thread calls try_pop;
//   - linearizable: try_push linearizes at its release store of `tail` (B),
//     try_pop at its release store of `head` (D); a false return linearizes at
//     the acquire load (A / C) that showed the ring full / empty;
//   - wait-free: each operation is a bounded number of steps, no CAS, no loop;
//   - capacity must be a power of two (checked: std::invalid_argument), so a
//     position maps to its cell with a mask, never a division. Indices run
//     freely (std::size_t does not wrap in practice) and
//     `tail - head` is the occupancy.
//
// Algorithm: the Lamport ring (L. Lamport, "Specifying concurrent program
// modules", TOPLAS 1983) with the cached opposite index of the FastForward /
// MCRingBuffer line of work (Lee et al., "A lock-free, cache-efficient
// multi-core synchronization mechanism for line-rate network traffic
// monitoring", IPDPS 2010): each side keeps a private copy of the other
// side's index and reloads the shared one only when its copy says full
// (producer) or empty (consumer). In the common case an operation touches its
// own index line and one cell, no line the other side writes.
//
// Layout: the read-only ring description, the producer's line (tail + cached
// head) and the consumer's line (head + cached tail) are each cache_padded.
//
// Cost: push = one relaxed load + one store + one release store (a plain mov
// on x86); pop likewise; one acquire load of the opposite index once per
// "cache exhausted" event. Use it for a fixed producer/consumer pair (an I/O
// thread feeding an event loop). Not for more than one thread per side: the
// checks for that are absent by design.
//
// `Orders` names the memory order of each labelled step (and the cells the
// full test reserves); `spsc_ring_orders` is the correct choice, mutants
// change one item (catalogue: mutants).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "primitives/cache_padded.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct spsc_ring_orders {
    // A: producer reloads head. Acquire pairs with D, so the consumer's read
    // of a cell happens before the producer overwrites it.
    static constexpr std::memory_order load_head = std::memory_order_acquire;
    // B: producer publishes tail. Release pairs with C, so the cell write is
    // visible to the consumer that sees the new tail.
    static constexpr std::memory_order store_tail = std::memory_order_release;
    // C: consumer reloads tail. Acquire pairs with B.
    static constexpr std::memory_order load_tail = std::memory_order_acquire;
    // D: consumer publishes head. Release pairs with A.
    static constexpr std::memory_order store_head = std::memory_order_release;
    // Not an order: cells the full test leaves unused. 0: all `capacity`
    // cells hold items, as the contract promises.
    static constexpr std::size_t reserved_cells = 0;
};

template <world World, class T, class Orders = spsc_ring_orders>
class spsc_ring {
    static_assert(std::is_nothrow_copy_constructible_v<T> && std::is_nothrow_copy_assignable_v<T>,
                  "spsc_ring: T must copy without throwing (a throw would strand a claimed cell)");

    template <class U>
    using atomic = typename World::template atomic<U>;
    using cell = typename World::template var<T>;

public:
    explicit spsc_ring(std::size_t capacity) : ring_(checked(capacity)) {}

    spsc_ring(const spsc_ring&) = delete;
    spsc_ring& operator=(const spsc_ring&) = delete;

    std::size_t capacity() const noexcept { return ring_->mask + 1; }

    // Producer only.
    bool try_push(T v) {
        producer_side& p = *producer_;
        // Own index: only this thread writes tail, relaxed reads its own value.
        const std::size_t tail = p.tail.load(std::memory_order_relaxed);
        constexpr std::size_t reserved = Orders::reserved_cells;
        if (tail - p.cached_head + reserved > ring_->mask) {
            p.cached_head = consumer_->head.load(Orders::load_head);             // A
            if (tail - p.cached_head + reserved > ring_->mask) return false;  // full at A
        }
        ring_->cells[tail & ring_->mask].store(v);
        p.tail.store(tail + 1, Orders::store_tail);  // B: linearization point
        return true;
    }

    // Consumer only.
    bool try_pop(T& out) {
        consumer_side& c = *consumer_;
        const std::size_t head = c.head.load(std::memory_order_relaxed);  // own index
        if (head == c.cached_tail) {
            c.cached_tail = producer_->tail.load(Orders::load_tail);  // C
            if (head == c.cached_tail) return false;                  // empty at C
        }
        out = ring_->cells[head & ring_->mask].load();
        c.head.store(head + 1, Orders::store_head);  // D: linearization point
        return true;
    }

private:
    static std::size_t checked(std::size_t capacity) {
        if (capacity == 0 || (capacity & (capacity - 1)) != 0)
            throw std::invalid_argument("spsc_ring: capacity must be a non-zero power of two");
        return capacity;
    }

    struct ring {
        explicit ring(std::size_t capacity) : mask(capacity - 1), cells(new cell[capacity]) {}
        std::size_t mask;
        std::unique_ptr<cell[]> cells;
    };
    struct producer_side {
        atomic<std::size_t> tail{0};
        std::size_t cached_head = 0;  // producer-private copy of head
    };
    struct consumer_side {
        atomic<std::size_t> head{0};
        std::size_t cached_tail = 0;  // consumer-private copy of tail
    };

    const cache_padded<ring> ring_;  // read-only after construction
    cache_padded<producer_side> producer_;
    cache_padded<consumer_side> consumer_;
};

}  // namespace gauntlet
