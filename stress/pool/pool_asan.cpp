// Check "asan" for every pool, in the AddressSanitizer (LeakSanitizer
// included) + UndefinedBehaviorSanitizer build: every job is a heap object
// that its own run frees, so that the sanitizers judge exactly-once:
//   * a job run twice is read (and freed) after its first run freed it:
//     heap-use-after-free or double-free;
//   * a job never run is never freed: a leak, reported when the entry's
//     child exits;
//   * the pool's own memory (deques, the inject ring, the threads) must be
//     freed by its destructor: a leak otherwise.
// Per entry, one pool of 2 workers (16-slot deques for the work-stealing
// pools: pool_check::make_small_pool):
//   trees     `rounds` rounds: two outside threads submit 24 roots each; a
//             root submits 0-600 children from inside (the work-stealing
//             deque overflows into the inject queue), one child in eight a
//             grandchild; the main thread waits for all of them to run.
//   shutdown  with jobs in every queue: two roots each submit 300 children
//             and then hold their worker until released, so that both
//             workers' deques are full (and have overflowed into the inject
//             queue); the main thread submits 100 more from outside, then
//             calls shutdown() while everything is queued; a helper thread
//             releases the roots 5 ms later. shutdown() must run (and so
//             free) every job before it returns; the pool is destroyed
//             right after.
// A pool that strands a job is left undestroyed (its drain would never
// return). Its parked workers still reach it, and through it the stranded
// jobs, so LeakSanitizer would call none of them leaked: the entry fails as
// the hang it is (check_program's rule), named when nothing has run for
// `quiet` seconds rather than at the timeout.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pool/catalogue.hpp"
#include "stress/pool/pool_wait.hpp"

namespace {

using namespace gauntlet;

template <class P>
struct heap_job : pool_job {
    struct shared {
        P* pool = nullptr;
        std::atomic<std::uint64_t> ran{0};
        std::atomic<bool> release{true};
        std::atomic<unsigned> holding{0};
    };
    shared* s;
    std::uint32_t children;
    std::uint32_t grandchildren;  // 1: each child submits one grandchild
    bool hold;

    heap_job(shared* sh, std::uint32_t c, std::uint32_t g, bool h) : s(sh), children(c), grandchildren(g), hold(h) {
        run = &run_job;
    }
    static void run_job(pool_job* pj) {
        auto* j = static_cast<heap_job*>(pj);
        shared* s = j->s;
        for (std::uint32_t c = 0; c < j->children; ++c)
            s->pool->submit(new heap_job(s, (j->grandchildren && c % 8 == 0) ? 1 : 0, 0, false));
        if (j->hold) {
            s->holding.fetch_add(1, std::memory_order_release);
            while (!s->release.load(std::memory_order_acquire)) std::this_thread::yield();
        }
        delete j;
        s->ran.fetch_add(1, std::memory_order_release);
    }
};

struct options {
    int rounds = 4;
    double quiet = 1.0;
};

template <class E>
result asan_body(const options& opt, const entry_context& ctx) {
    using P = typename E::template type<native_world>;
    using J = heap_job<P>;
    std::mt19937_64 rng(ctx.seed);
    auto pool = pool_check::make_small_pool<P>();
    typename J::shared s;
    s.pool = pool.get();
    std::uint64_t expected = 0;
    json m;
    auto stranded = [&](const std::string& phase) {
        (void)pool.release();  // its drain would never return: LeakSanitizer reports what it holds
        m["stranded_in"] = phase;
        return result::fail(phase + ": stranded, " + std::to_string(expected - s.ran.load()) + " jobs not run " +
                                std::to_string(opt.quiet) + " s after the last progress",
                            {}, m);
    };
    for (int r = 0; r < opt.rounds; ++r) {
        std::vector<std::uint32_t> fan(48);
        for (auto& f : fan) {
            f = static_cast<std::uint32_t>(rng() % 601);
            expected += 1 + f + (f + 7) / 8;
        }
        std::vector<std::thread> ts;
        for (unsigned t = 0; t < 2; ++t)
            ts.emplace_back([&, t] {
                for (unsigned k = t; k < fan.size(); k += 2) pool->submit(new J(&s, fan[k], 1, false));
            });
        for (auto& t : ts) t.join();
        if (!pool_check::wait_for_count(s.ran, expected, opt.quiet)) return stranded("trees round " + std::to_string(r));
    }
    // Shutdown with jobs in every queue.
    s.release.store(false, std::memory_order_relaxed);
    pool->submit(new J(&s, 300, 0, true));
    pool->submit(new J(&s, 300, 0, true));
    expected += 2 * 301;
    {
        using clock = std::chrono::steady_clock;
        const auto t0 = clock::now();
        while (s.holding.load(std::memory_order_acquire) < 2 && clock::now() - t0 < std::chrono::seconds(2))
            std::this_thread::yield();
    }
    const unsigned held = s.holding.load();
    for (int k = 0; k < 100; ++k) pool->submit(new J(&s, 0, 0, false));
    expected += 100;
    if (held < 2) {  // one worker never took a root: a lost wake-up
        s.release.store(true, std::memory_order_release);
        if (!pool_check::wait_for_count(s.ran, expected, opt.quiet)) return stranded("shutdown");
    }
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        s.release.store(true, std::memory_order_release);
    });
    const std::uint64_t queued_at_shutdown = expected - s.ran.load();
    pool->shutdown();
    releaser.join();
    const std::uint64_t ran = s.ran.load();
    pool.reset();
    m["jobs"] = expected;
    m["queued_at_shutdown"] = queued_at_shutdown;
    m["roots_holding"] = held;
    if (ran != expected)
        return result::fail("shutdown returned with " + std::to_string(expected - ran) + " of " +
                                std::to_string(expected) + " jobs not run",
                            {}, m);
    return result::pass("every job ran and was freed once: " + std::to_string(expected) + " jobs; " +
                            std::to_string(queued_at_shutdown) + " queued when shutdown() began (" +
                            std::to_string(held) + " workers held)",
                        m);
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    check_program prog("pool_asan", check_kind::asan,
                       "AddressSanitizer, LeakSanitizer and UBSan over every pool: heap jobs freed by their own\n"
                       "run, spawn trees with deque overflow, shutdown with jobs in every queue.",
                       60.0);
    prog.options()
        .option("--rounds", "N", "spawn-tree rounds per entry (default 4)", opt.rounds, 1, 100000)
        .option("--quiet", "S", "seconds without progress that make a job stranded (default 1)", opt.quiet, 0.1,
                600.0);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pool_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.asan.kind == expect::skip)
            return result::fail("the body of an entry whose asan check is skipped ran");
        else {
            result r = asan_body<E>(opt, ctx);
            if (r.got == verdict::fail && r.detail.find("stranded") != std::string::npos) {
                r.detail = "hang: " + r.detail;
                return r;
            }
            return sanitizer_verdict({{check_kind::stress, std::move(r)}});
        }
    });
    return prog.finish();
}
