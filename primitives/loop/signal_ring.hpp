// Signal rings: POSIX signals handed from a signal handler to the loop
// thread (seed 004: Bun's PosixSignalHandle, an 8192-slot byte ring with a
// 16-bit tail written by the handler and a 16-bit head written by the loop).
//
//   bool enqueue(std::uint8_t signo);  signal handler, any thread: queues
//                       signo (1..255) and returns true, or finds the ring
//                       full, counts the signal as dropped and returns false.
//                       Async-signal-safe: lock-free atomics and plain stores
//                       only, no allocation, no lock (so it may also interrupt
//                       itself on one thread).
//   std::size_t drain(F on_signal);    loop thread: calls on_signal(signo)
//                       for every queued signal, oldest first, and returns
//                       how many.
//   std::uint64_t dropped() const;     any thread: signals refused so far.
// Every enqueue that returned true is drained exactly once; every one that
// returned false is counted in dropped(); nothing else is lost.
//
// The caller wakes the loop after a successful enqueue (basic_loop::wake(),
// an eventfd write, is async-signal-safe).
//
// Indices are 16-bit counters that wrap; Slots divides 65536, so a counter's
// slot is counter % Slots across the wrap, and a ring holds at most Slots
// signals (tail - head, modulo 65536).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "primitives/world.hpp"

namespace gauntlet {

struct bun_signal_ring_policy {
    // The loop clears nothing and moves head after reading the slot.
    static constexpr bool check_full = true;
};

// Seed 004 as described: the handler is the producer. It reads its tail,
// reads the loop's head (acquire: the loop has read the slot it frees),
// refuses when the ring is full, writes the slot (plain data) and publishes
// the new tail (release: the slot is written before the loop sees the
// tail). The loop reads tail (acquire), reads each slot, and publishes each
// advance of head (release).
// One producer at a time: the seed names one "producer index (signal
// handler)". Two handlers running at once (one signal delivered to each of
// two threads, or a handler interrupted by another signal on its own thread)
// read the same tail, write the same slot and store the same new tail: one
// signal is lost and nothing counts it. The checks that can run two
// handlers at once (model, stress, tsan) find it.
template <world World, std::size_t Slots = 8192, class Policy = bun_signal_ring_policy>
class bun_signal_ring {
    static_assert(Slots >= 1 && 65536 % Slots == 0, "Slots must divide the 16-bit counter's range");

public:
    bool enqueue(std::uint8_t signo) {
        const std::uint16_t t = tail_.load(std::memory_order_relaxed);  // its own index
        const std::uint16_t h = head_.load(std::memory_order_acquire);
        if (Policy::check_full && static_cast<std::uint16_t>(t - h) >= Slots) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        slots_[t % Slots].store(signo);
        tail_.store(static_cast<std::uint16_t>(t + 1), std::memory_order_release);
        return true;
    }
    template <class F>
    std::size_t drain(F&& on_signal) {
        std::uint16_t h = head_.load(std::memory_order_relaxed);  // its own index
        const std::uint16_t t = tail_.load(std::memory_order_acquire);
        std::size_t n = 0;
        for (; h != t; ++n) {
            const std::uint8_t signo = slots_[h % Slots].load();
            h = static_cast<std::uint16_t>(h + 1);
            head_.store(h, std::memory_order_release);
            on_signal(signo);
        }
        return n;
    }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    typename World::template atomic<std::uint16_t> tail_{0};
    typename World::template atomic<std::uint16_t> head_{0};
    typename World::template atomic<std::uint64_t> dropped_{0};
    std::array<typename World::template var<std::uint8_t>, Slots> slots_{};
};

struct signal_ring_policy {
    static constexpr bool check_full = true;
    // The loop empties a slot before it moves head past it.
    static constexpr bool clear_before_advance = true;
};

// In-house: many producers. A handler reserves a position with a CAS on
// tail, then writes the slot; the slot itself says whether it is written
// (0: empty; signal numbers are never 0), so the loop stops at a reserved
// slot whose handler has not written it yet and takes it on a later drain.
//
//   H1 head.load(acquire) in enqueue: the loop emptied every slot before
//      the head it published (L2 release), so a reserved slot holds 0
//      before the handler writes it; its write cannot be overwritten by
//      the loop's clearing store.
//   H2 tail CAS (relaxed): reserves position t. It publishes nothing: the
//      slot's own store does.
//   H3 slot.store(signo, relaxed): the number is all a handler passes; the
//      slot's own modification order (H1/L2 above) keeps it from being
//      cleared.
//   L1 slot.load(relaxed): a nonzero slot at head is the signal its
//      handler reserved at exactly this position (a position one lap
//      later cannot be reserved while head is here: t - head < Slots).
//   L2 slot.store(0, relaxed) then head.store(h + 1, release).
// Full: t - h >= Slots with t current when re-read; a stale t (another
// handler moved tail, the loop moved head past it) is re-read, not counted
// as a drop.
template <world World, std::size_t Slots = 8192, class Policy = signal_ring_policy>
class signal_ring {
    static_assert(Slots >= 1 && 65536 % Slots == 0, "Slots must divide the 16-bit counter's range");

public:
    bool enqueue(std::uint8_t signo) {
        std::uint16_t t = tail_.load(std::memory_order_relaxed);
        for (;;) {
            // H1.
            // sweep: acquire with L2's release orders the loop's clear
            // of the slot before this handler's write of it in the slot's
            // modification order; relaxed, the clear could land after the
            // signal and erase it. That needs a modification order against
            // execution order, which Relacy never produces (its stores
            // become visible in execution order), so no model run can show
            // it; x86 never reorders the two either.
            const std::uint16_t h = head_.load(std::memory_order_acquire);
            if (Policy::check_full && static_cast<std::uint16_t>(t - h) >= Slots) {
                const std::uint16_t now = tail_.load(std::memory_order_relaxed);
                if (now != t) {  // t was stale: head may have passed it
                    t = now;
                    continue;
                }
                dropped_.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
            if (tail_.compare_exchange_weak(t, static_cast<std::uint16_t>(t + 1), std::memory_order_relaxed,
                                            std::memory_order_relaxed))  // H2
                break;
        }
        // H3.
        // sweep: relaxed by argument: the slot carries only the number
        // (contract: a signal number, nothing beside it), and the loop's
        // clear comes after this store in the slot's order by H1/L2 and
        // by read-write coherence (L2 follows L1, which read it). Weakened
        // from release with the signal model and the ThreadSanitizer
        // stress passing.
        slots_[t % Slots].store(signo, std::memory_order_relaxed);
        return true;
    }
    template <class F>
    std::size_t drain(F&& on_signal) {
        std::uint16_t h = head_.load(std::memory_order_relaxed);  // its own index
        std::size_t n = 0;
        for (;; ++n) {
            auto& slot = slots_[h % Slots];
            // L1.
            // sweep: relaxed by argument, H3's pair: nothing is read
            // through the slot but the number itself.
            const std::uint8_t signo = slot.load(std::memory_order_relaxed);
            if (signo == 0) return n;
            h = static_cast<std::uint16_t>(h + 1);
            if constexpr (Policy::clear_before_advance) {
                slot.store(0, std::memory_order_relaxed);  // L2: clear, then publish head
                // sweep: release is H1's pair (see H1's note): the clear
                // comes before a handler's write of this slot.
                head_.store(h, std::memory_order_release);
            } else {
                head_.store(h, std::memory_order_release);
                slot.store(0, std::memory_order_relaxed);
            }
            on_signal(signo);
        }
    }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    typename World::template atomic<std::uint16_t> tail_{0};
    typename World::template atomic<std::uint16_t> head_{0};
    typename World::template atomic<std::uint64_t> dropped_{0};
    std::array<typename World::template atomic<std::uint8_t>, Slots> slots_{};
};

}  // namespace gauntlet
