// Check "property" for every pool: the contract's fairness bounds
// (primitives/pool/contract.hpp), as scenarios on real threads whose
// verdict is a count, not a time, so the machine's load does not move it.
//
//   ping_pong_hog   (Go's runtime test TestPingPongHog, src/runtime/
//                   proc_test.go, on a one-processor scheduler: a pair that
//                   hands off to each other must not starve others; here the
//                   pair are two jobs that submit each other.) A pool of one
//                   worker; a starter job submits, from inside, a third job
//                   C and then A; A submits B, B submits A, and so on, until
//                   C has run or `limit` hand-offs. Bound: C runs within
//                   fair_bound hand-offs.
//   outside_progress  A pool of one worker (so that every worker's own queue
//                   is saturated, whatever the stealing); two chains of jobs
//                   that each submit their successor from inside keep it
//                   busy; once they run, an outside thread submits X. Bound:
//                   X runs within fair_bound chain jobs of its submission
//                   (the chains stop when X has run, or after `limit` jobs).
// Each scenario waits 10 ms after starting its pool, so that the worker has
// parked when the first outside submission comes: a pool that loses that
// wake-up strands the job (nothing runs for `quiet` seconds), and the
// scenario reports it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pool/catalogue.hpp"
#include "stress/pool/pool_wait.hpp"

namespace {

using namespace gauntlet;

struct options {
    std::uint64_t limit = 100000;  // hand-offs or chain jobs before a starving scenario gives up
    double quiet = 1.0;
};

template <class P>
struct hog {
    struct job : pool_job {
        hog* h = nullptr;
    };
    P* pool = nullptr;
    std::uint64_t limit = 0;
    job starter, a, b, third;
    std::atomic<std::uint64_t> handoffs{0}, third_at{0}, progress{0};
    std::atomic<bool> third_ran{false};
    std::atomic<std::uint64_t> finished{0};  // 1 when the pair stopped, +1 when the third ran

    static void run_starter(pool_job* j) {
        hog& h = *static_cast<job*>(j)->h;
        h.pool->submit(&h.third);
        h.pool->submit(&h.a);
    }
    static void run_third(pool_job* j) {
        hog& h = *static_cast<job*>(j)->h;
        h.third_at.store(h.handoffs.load(std::memory_order_relaxed), std::memory_order_relaxed);
        h.third_ran.store(true, std::memory_order_release);
        h.finished.fetch_add(1, std::memory_order_release);
    }
    static void run_pair(pool_job* j) {
        hog& h = *static_cast<job*>(j)->h;
        const std::uint64_t n = h.handoffs.fetch_add(1, std::memory_order_relaxed) + 1;
        if (h.third_ran.load(std::memory_order_acquire) || n >= h.limit) {
            h.finished.fetch_add(1, std::memory_order_release);
            return;
        }
        h.pool->submit(j == &h.a ? &h.b : &h.a);
    }
};

template <class P>
struct chains {
    struct job : pool_job {
        chains* c = nullptr;
    };
    P* pool = nullptr;
    std::uint64_t limit = 0;
    job link[2], x;
    std::atomic<std::uint64_t> ran{0}, x_at{0}, submitted_at{0}, finished{0};
    std::atomic<bool> x_ran{false};

    static void run_link(pool_job* j) {
        chains& c = *static_cast<job*>(j)->c;
        const std::uint64_t n = c.ran.fetch_add(1, std::memory_order_relaxed) + 1;
        if (c.x_ran.load(std::memory_order_acquire) || n >= c.limit) {
            c.finished.fetch_add(1, std::memory_order_release);
            return;
        }
        c.pool->submit(j);  // its own successor, from inside
    }
    static void run_x(pool_job* j) {
        chains& c = *static_cast<job*>(j)->c;
        c.x_at.store(c.ran.load(std::memory_order_relaxed), std::memory_order_relaxed);
        c.x_ran.store(true, std::memory_order_release);
        c.finished.fetch_add(1, std::memory_order_release);
    }
};

template <class P>
std::string ping_pong_hog(const options& opt, json& m) {
    auto pool = std::make_unique<P>(1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the worker parks
    auto h = std::make_unique<hog<P>>();
    h->pool = pool.get();
    h->limit = opt.limit;
    for (auto* j : {&h->starter, &h->a, &h->b, &h->third}) j->h = h.get();
    h->starter.run = &hog<P>::run_starter;
    h->a.run = h->b.run = &hog<P>::run_pair;
    h->third.run = &hog<P>::run_third;
    pool->submit(&h->starter);
    if (!pool_check::wait_for_count(h->finished, 2, opt.quiet)) {
        (void)pool.release(), (void)h.release();  // a stranded job: its drain would never return
        return "ping_pong_hog: stranded, nothing ran for " + std::to_string(opt.quiet) + " s";
    }
    pool->drain();
    const std::uint64_t at = h->third_at.load();
    m["hog_handoffs_before_third"] = at;
    if (at > fair_bound)
        return "ping_pong_hog: the third job ran after " + std::to_string(at) + " hand-offs of the pair (bound " +
               std::to_string(fair_bound) + (at >= opt.limit ? "; the pair had stopped at its limit)" : ")");
    return {};
}

template <class P>
std::string outside_progress(const options& opt, json& m) {
    auto pool = std::make_unique<P>(1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the worker parks
    auto c = std::make_unique<chains<P>>();
    c->pool = pool.get();
    c->limit = opt.limit;
    for (auto& l : c->link) {
        l.c = c.get();
        l.run = &chains<P>::run_link;
    }
    c->x.c = c.get();
    c->x.run = &chains<P>::run_x;
    pool->submit(&c->link[0]);
    pool->submit(&c->link[1]);
    // Both chains running: wait for some of their jobs (or a stranded pool).
    if (!pool_check::wait_for_count(c->ran, 200, opt.quiet)) {
        (void)pool.release(), (void)c.release();
        return "outside_progress: stranded, the chains did not start within " + std::to_string(opt.quiet) + " s";
    }
    const std::uint64_t before = c->ran.load();
    pool->submit(&c->x);
    if (!pool_check::wait_for_count(c->finished, 3, opt.quiet)) {
        (void)pool.release(), (void)c.release();
        return "outside_progress: stranded, nothing ran for " + std::to_string(opt.quiet) + " s";
    }
    pool->drain();
    const std::uint64_t waited = c->x_at.load() - before;
    m["outside_jobs_before"] = waited;
    if (waited > fair_bound)
        return "outside_progress: the outside job ran after " + std::to_string(waited) +
               " chain jobs (bound " + std::to_string(fair_bound) +
               (c->x_at.load() >= opt.limit ? "; the chains had stopped at their limit)" : ")");
    return {};
}

template <class E>
result check_entry(const options& opt) {
    using P = typename E::template type<native_world>;
    json m;
    m["bound"] = fair_bound;
    std::string why = ping_pong_hog<P>(opt, m);
    if (why.find("stranded") != std::string::npos) return result::fail(why, {}, m);  // its pool is abandoned
    const std::string second = outside_progress<P>(opt, m);
    if (why.empty()) why = second;
    else if (!second.empty()) why += "; " + second;
    if (!why.empty()) return result::fail(why, {}, m);
    return result::pass("fair within " + std::to_string(fair_bound) + ": the third job after " +
                            m["hog_handoffs_before_third"].dump() + " hand-offs, the outside job after " +
                            m["outside_jobs_before"].dump() + " chain jobs",
                        m);
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    check_program prog("pool_property", check_kind::property,
                       "The pool contract's fairness bounds on real threads: a ping-pong pair cannot starve a\n"
                       "third job (Go's TestPingPongHog shape), an outside submission progresses while the\n"
                       "worker's own queue is busy.",
                       30.0);
    prog.options()
        .option("--limit", "N", "hand-offs / chain jobs before a starving scenario stops (default 100000)",
                opt.limit, std::uint64_t{fair_bound + 1}, std::uint64_t{1} << 40)
        .option("--quiet", "S", "seconds without progress that make a job stranded (default 1)", opt.quiet, 0.1,
                600.0);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pool_kind>([&]<class E>(const entry_context&) -> result {
        if constexpr (E::expected.property.kind == expect::skip)
            return result::fail("the body of an entry whose property check is skipped ran");
        else
            return check_entry<E>(opt);
    });
    return prog.finish();
}
