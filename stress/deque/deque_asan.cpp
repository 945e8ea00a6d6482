// Check "asan" for every catalogue deque, peers included, in the
// AddressSanitizer (LeakSanitizer included) + UndefinedBehaviorSanitizer
// build: the owner pushing and popping while one or two thieves steal, with
// every item a heap object whose taker frees it, so that the sanitizers
// judge exactly-once:
//   * an item taken twice is read or freed after its first taker freed it:
//     heap-use-after-free or double-free;
//   * an item lost (never returned by a pop or a steal) is never freed: a
//     leak, reported at the child's exit once the deque (and the array that
//     still points at the item) is gone;
//   * a value no push wrote (a cell's initial 0, a stale slot) is read
//     through as a pointer: SEGV or a wild read;
//   * the deque's own arrays (the retired chain of the growable Chase–Lev
//     deques, xenium's buckets) must be freed by its destructor: a leak
//     otherwise.
// Shutdown with items left: the thieves are told to stop, the owner pushes
// its last 64 items while they finish, and once they are gone the items
// still in the deque are popped (and stolen) by the owner and freed; their
// count is the record's left_at_shutdown.
//
// Per entry, `rounds` rounds alternating 1 and 2 thieves, the first at
// capacity 2 (a growable deque resizes within its first pushes, a bounded
// one is full on every third), later ones at 4 or 16; the owner's bursts
// (1-16 pushes, then 0..burst pops) come from the entry's seed. The verdict
// is the sanitizers' (check_program.hpp: sanitizer_verdict); the body's own
// count of each value is recorded as the stress part.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;

struct payload {
    std::uint64_t value;
};

// The item of a deque entry is a 64-bit word: a payload's address.
std::uint64_t to_item(payload* p) { return reinterpret_cast<std::uintptr_t>(p); }

// Takes an item: reads its payload, frees it, returns its value.
std::uint64_t take(std::uint64_t item) {
    auto* p = reinterpret_cast<payload*>(static_cast<std::uintptr_t>(item));
    const std::uint64_t v = p->value;
    delete p;
    return v;
}

template <class D>
std::string asan_round(std::size_t capacity, unsigned thieves, std::uint64_t seed, std::uint64_t n,
                       std::uint64_t& left_at_shutdown) {
    std::vector<std::uint64_t> taken;  // values, by every taker (never the addresses: LSan must not see them)
    std::vector<std::vector<std::uint64_t>> stolen(thieves);
    {
        D d(capacity);
        std::atomic<bool> go{false}, done{false};
        std::vector<std::thread> ts;
        for (unsigned i = 0; i < thieves; ++i)
            ts.emplace_back([&, i] {
                while (!go.load(std::memory_order_relaxed)) std::this_thread::yield();
                unsigned misses = 0;
                while (!done.load(std::memory_order_relaxed)) {
                    std::uint64_t item = 0;
                    if (d.steal(item) == steal_status::success)
                        stolen[i].push_back(take(item));
                    else if (++misses % 64 == 0)
                        std::this_thread::yield();
                }
            });
        auto push = [&](std::uint64_t v) {
            payload* p = new payload{v};
            while (!d.push(to_item(p))) {  // bounded and full: make room
                std::uint64_t item = 0;
                if (d.pop(item)) taken.push_back(take(item));
            }
        };
        go.store(true, std::memory_order_relaxed);
        std::mt19937_64 rng(seed);
        const std::uint64_t tail = std::min<std::uint64_t>(n, 64);
        std::uint64_t next = 1;
        while (next <= n - tail) {
            const unsigned burst = 1 + static_cast<unsigned>(rng() % 16);
            for (unsigned k = 0; k < burst && next <= n - tail; ++k) push(next++);
            std::this_thread::yield();  // lets a thief in, also with three threads on two cores
            const unsigned pops = static_cast<unsigned>(rng() % (burst + 1));
            for (unsigned k = 0; k < pops; ++k) {
                std::uint64_t item = 0;
                if (d.pop(item)) taken.push_back(take(item));
            }
        }
        // Shutdown with items left: the thieves are told to stop, and the
        // last `tail` items are pushed while they finish their last steal,
        // so all but a steal per thief (or, bounded, all but the bound)
        // are still in the deque when the threads are gone.
        done.store(true, std::memory_order_relaxed);
        while (next <= n) push(next++);
        for (auto& t : ts) t.join();
        const std::size_t before = taken.size();
        std::uint64_t item = 0;
        while (taken.size() <= n && d.pop(item)) taken.push_back(take(item));
        while (taken.size() <= n && d.steal(item) == steal_status::success) taken.push_back(take(item));
        left_at_shutdown += taken.size() - before;
    }  // the deque is destroyed here, with its arrays
    for (auto& s : stolen) taken.insert(taken.end(), s.begin(), s.end());
    std::vector<std::uint8_t> count(n + 1, 0);
    for (std::uint64_t v : taken) {
        if (v == 0 || v > n) return "a taker returned " + std::to_string(v) + ", never pushed";
        if (++count[v] > 1) return "value " + std::to_string(v) + " taken twice";
    }
    for (std::uint64_t v = 1; v <= n; ++v)
        if (count[v] == 0) return "value " + std::to_string(v) + " never taken (lost)";
    return {};
}

struct options {
    std::uint64_t items = 50000;
    int rounds = 10;
};

// A deque whose every steal is a system call that interrupts the owner's
// CPU (chase_lev_asym's membarrier) runs a tenth of the items per round,
// with its thieves as free as any other's. In full, its check took 0.6 s or
// 14-24 s by where the hypervisor placed the two vCPUs (likely: membarrier
// waits for every CPU it interrupts), and it was most of the asan step's time.
template <class D>
constexpr bool steals_interrupt_owner = requires { requires D::steal_interrupts_owner; };

template <class E>
result asan_stress(options opt, const entry_context& ctx) {
    using D = typename E::template type<native_world>;
    if constexpr (steals_interrupt_owner<D>) opt.items = std::max<std::uint64_t>(1, opt.items / 10);
    std::mt19937_64 rng(ctx.seed);
    constexpr std::size_t capacities[] = {4, 16};
    std::uint64_t left = 0;
    json m;
    for (int i = 0; i < opt.rounds; ++i) {
        const std::size_t capacity = i == 0 ? 2 : capacities[rng() % 2];
        const unsigned thieves = 1u + static_cast<unsigned>(i % 2);
        const std::string why = asan_round<D>(capacity, thieves, rng(), opt.items, left);
        m["left_at_shutdown"] = left;
        if (!why.empty())
            return result::fail("round " + std::to_string(i) + " (" + std::to_string(thieves) + " thieves, capacity " +
                                    std::to_string(capacity) + "): " + why,
                                {}, m);
    }
    return result::pass("exactly once over " + std::to_string(opt.rounds) + " rounds of " + std::to_string(opt.items) +
                            " items; " + std::to_string(left) + " left in the deque at shutdown and freed",
                        m);
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    check_program prog("deque_asan", check_kind::asan,
                       "AddressSanitizer, LeakSanitizer and UBSan over every catalogue deque: heap items freed by\n"
                       "their taker (owner and 1-2 thieves), items left at shutdown drained and freed.",
                       120.0);
    prog.options()
        .option("--items", "N", "items pushed per round (default 50000; a tenth for a deque whose steals interrupt the owner)", opt.items, std::uint64_t{1},
                std::uint64_t{1} << 32)
        .option("--rounds", "N", "rounds per entry (default 10)", opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<deque_kind>([&]<class E>(const entry_context& ctx) {
        return sanitizer_verdict({{check_kind::stress, asan_stress<E>(opt, ctx)}});
    });
    return prog.finish();
}
