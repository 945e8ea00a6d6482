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
//                   (the chains stop when X has run, or `limit` jobs after
//                   its submission).
// Each scenario waits 10 ms after starting its pool, so that the worker has
// parked when the first outside submission comes: a pool that loses that
// wake-up strands the job (nothing runs for `quiet` seconds), and the
// scenario reports it.
//
//   sequences       RapidCheck (properties/rapidcheck_params.hpp): random
//                   command sequences run on a fresh pool of 1 or 2
//                   workers, shrunk to a small one on failure:
//                     outside n     the test thread submits n jobs
//                     spawn k       an outside job that submits k children
//                                   from inside its worker
//                     yield n       a job that resubmits itself n times
//                     ping_pong r   two jobs that submit each other, r
//                                   hand-offs
//                     drain         the test thread drains
//                     hog           drain, then the ping_pong_hog shape above
//                                   (a pair that hands off until a third job
//                                   it submitted first has run)
//                   then a final drain. Judged: every submission runs
//                   exactly once, on a worker of this pool; every drain
//                   returns (it is called once the count of runs is
//                   complete; `seq_quiet` seconds without a run before that
//                   is a stranded job: the property fails, the pool and its
//                   jobs are abandoned); a hog's third job runs within
//                   fair_bound hand-offs.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <rapidcheck.h>

#include <deque>
#include <iostream>
#include <sstream>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pool/catalogue.hpp"
#include "properties/rapidcheck_params.hpp"
#include "stress/pool/pool_wait.hpp"

namespace {

using namespace gauntlet;

struct options {
    std::uint64_t limit = 100000;  // hand-offs or chain jobs before a starving scenario gives up
    double quiet = 1.0;
    double seq_quiet = 0.25;       // the sequences' stranded judgement (each shrink step that strands waits this)
    std::uint64_t seq_limit = 20000;  // a sequence's hog: hand-offs before the pair gives up
    std::string part = "all";      // all | scenarios | sequences
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
    std::atomic<bool> third_ran{false}, pair_stopped{false};
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
    std::atomic<bool> x_ran{false}, x_submitted{false};

    static void run_link(pool_job* j) {
        chains& c = *static_cast<job*>(j)->c;
        const std::uint64_t n = c.ran.fetch_add(1, std::memory_order_relaxed) + 1;
        // The limit counts from X's submission: counted from the start, the
        // chains could reach it before the test thread (polling every
        // 200 us) submitted X, and X then ran at once on an idle worker.
        if (c.x_ran.load(std::memory_order_acquire) ||
            (c.x_submitted.load(std::memory_order_acquire) &&
             n >= c.submitted_at.load(std::memory_order_relaxed) + c.limit)) {
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
    c->submitted_at.store(before, std::memory_order_relaxed);
    c->x_submitted.store(true, std::memory_order_release);
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
               (waited >= opt.limit ? "; the chains had stopped at their limit)" : ")");
    return {};
}


// ------------------------------------------------------------ sequences

enum class op { outside, spawn, yield, ping_pong, drain, hog };

struct command {
    op kind = op::outside;
    unsigned n = 0;
};

std::ostream& operator<<(std::ostream& os, const command& c) {
    switch (c.kind) {
        case op::outside: return os << "outside " << c.n;
        case op::spawn: return os << "spawn " << c.n;
        case op::yield: return os << "yield " << c.n;
        case op::ping_pong: return os << "ping_pong " << c.n;
        case op::drain: return os << "drain";
        case op::hog: return os << "hog";
    }
    return os;
}

rc::Gen<command> gen_command() {
    auto with = [](op k, unsigned lo, unsigned hi) {
        return rc::gen::map(rc::gen::inRange(lo, hi + 1), [k](unsigned n) { return command{k, n}; });
    };
    return rc::gen::oneOf(with(op::outside, 1, 16), with(op::spawn, 0, 32), with(op::yield, 1, 50),
                          with(op::ping_pong, 1, 50), rc::gen::just(command{op::drain, 0}),
                          rc::gen::just(command{op::hog, 0}));
}

// One sequence's jobs, owned here (stable addresses); abandoned with the pool
// when a job is stranded.
template <class P>
struct sequence_run {
    struct job : pool_job {
        sequence_run* r = nullptr;
        unsigned left = 0;          // yield: resubmissions still to make
        unsigned* count = nullptr;  // ping_pong: the pair's hand-offs still to make (one counter)
        job* partner = nullptr;     // ping_pong, hog: the other job of the pair; hog starter: the pair's first
        job* third = nullptr;       // hog starter: the job the pair waits for
        std::vector<job*> kids;     // spawn: the children it submits from inside
        std::uint32_t runs = 0;      // written by the running worker, read after the drain
        std::uint32_t expected = 0;  // runs it must make: set before its first submission
    };
    P* pool = nullptr;
    std::deque<job> jobs;
    std::atomic<std::uint64_t> ran{0}, off_pool{0}, refused{0};
    std::uint64_t submitted = 0;  // runs expected in total (test thread)
    std::uint64_t hog_limit = 0;
    std::atomic<std::uint64_t> handoffs{0}, third_at{0};
    std::atomic<bool> third_ran{false}, pair_stopped{false};

    job& make(void (*fn)(pool_job*), std::uint32_t expected) {
        job& j = jobs.emplace_back();
        j.r = this;
        j.run = fn;
        j.expected = expected;
        submitted += expected;
        return j;
    }
    void note_run(job& j) {
        if (pool_thread_slot<native_world>::get().pool != pool) off_pool.fetch_add(1, std::memory_order_relaxed);
        ++j.runs;
    }
    void done() { ran.fetch_add(1, std::memory_order_release); }
    void inside(job* j) {
        if (!pool->submit(j)) refused.fetch_add(1, std::memory_order_relaxed);
    }

    static void run_plain(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        j.r->note_run(j);
        j.r->done();
    }
    static void run_spawner(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        sequence_run& r = *j.r;
        r.note_run(j);
        for (job* k : j.kids) r.inside(k);
        r.done();
    }
    static void run_yield(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        sequence_run& r = *j.r;
        r.note_run(j);
        const bool again = j.left > 0;
        if (again) --j.left;
        r.done();  // before the resubmission: after it, another worker may run this job again
        if (again) r.inside(&j);
    }
    static void run_ping(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        sequence_run& r = *j.r;
        r.note_run(j);
        // one job of the pair runs at a time: the counter is handed on with the job
        const bool again = *j.count > 0;
        if (again) --*j.count;
        r.done();
        if (again) r.inside(j.partner);
    }
    static void run_hog_starter(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        sequence_run& r = *j.r;
        r.note_run(j);
        r.inside(j.third);
        r.inside(j.partner);
        r.done();
    }
    static void run_hog_pair(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        sequence_run& r = *j.r;
        r.note_run(j);
        const std::uint64_t n = r.handoffs.fetch_add(1, std::memory_order_relaxed) + 1;
        const bool stop = r.third_ran.load(std::memory_order_acquire) || n >= r.hog_limit;
        if (stop) r.pair_stopped.store(true, std::memory_order_release);
        r.done();
        if (!stop) r.inside(j.partner);
    }
    static void run_hog_third(pool_job* pj) {
        auto& j = *static_cast<job*>(pj);
        sequence_run& r = *j.r;
        r.note_run(j);
        r.third_at.store(r.handoffs.load(std::memory_order_relaxed), std::memory_order_relaxed);
        r.third_ran.store(true, std::memory_order_release);
        r.done();
    }
};

// Runs `cmds` on a fresh pool; "" when every judgement held.
template <class P>
std::string run_sequence(const std::vector<command>& cmds, unsigned workers, const options& opt) {
    using R = sequence_run<P>;
    using job = typename R::job;
    auto pool = std::make_unique<P>(workers);
    auto r = std::make_unique<R>();
    r->pool = pool.get();
    r->hog_limit = opt.seq_limit;
    std::string failure;
    // Waits until every expected run happened, then drains; false: stranded.
    auto settle = [&](const char* where) {
        if (!pool_check::wait_for_count(r->ran, r->submitted, opt.seq_quiet)) {
            failure = std::string("stranded at ") + where + ": " + std::to_string(r->submitted - r->ran.load()) +
                      " of " + std::to_string(r->submitted) + " runs never happened (" +
                      std::to_string(opt.seq_quiet) + " s without one)";
            return false;
        }
        pool->drain();
        return true;
    };
    auto outside = [&](job& j) {
        if (!pool->submit(&j)) failure = "an outside submission was refused";
    };
    for (std::size_t i = 0; i < cmds.size() && failure.empty(); ++i) {
        const command& c = cmds[i];
        switch (c.kind) {
            case op::outside:
                for (unsigned k = 0; k < c.n; ++k) outside(r->make(&R::run_plain, 1));
                break;
            case op::spawn: {
                job& parent = r->make(&R::run_spawner, 1);
                for (unsigned k = 0; k < c.n; ++k) parent.kids.push_back(&r->make(&R::run_plain, 1));
                outside(parent);
                break;
            }
            case op::yield: {
                job& j = r->make(&R::run_yield, c.n + 1);
                j.left = c.n;
                outside(j);
                break;
            }
            case op::ping_pong: {
                // c.n hand-offs: c.n + 1 runs between the two jobs
                job& a = r->make(&R::run_ping, (c.n + 2) / 2);
                job& b = r->make(&R::run_ping, (c.n + 1) / 2);
                a.partner = &b;
                b.partner = &a;
                a.left = c.n;
                a.count = b.count = &a.left;
                outside(a);
                break;
            }
            case op::drain:
                settle("a drain");
                break;
            case op::hog: {
                if (!settle("the drain before a hog")) break;
                r->handoffs.store(0);
                r->third_ran.store(false);
                r->pair_stopped.store(false);
                job& starter = r->make(&R::run_hog_starter, 1);
                job& a = r->make(&R::run_hog_pair, 0);
                job& b = r->make(&R::run_hog_pair, 0);
                job& third = r->make(&R::run_hog_third, 1);
                a.partner = &b;
                b.partner = &a;
                starter.third = &third;
                starter.partner = &a;
                outside(starter);
                // the pair's run count is known only when it stops: wait for the third job, the
                // pair's stop and every run
                std::uint64_t last = r->ran.load();
                auto since = std::chrono::steady_clock::now();
                while (!(r->third_ran.load(std::memory_order_acquire) && r->pair_stopped.load(std::memory_order_acquire) &&
                         r->ran.load() >= r->submitted + r->handoffs.load())) {
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                    const std::uint64_t now = r->ran.load();
                    if (now != last) {
                        last = now;
                        since = std::chrono::steady_clock::now();
                    } else if (std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count() >
                               opt.seq_quiet) {
                        failure = "stranded in a hog: nothing ran for " + std::to_string(opt.seq_quiet) + " s";
                        break;
                    }
                }
                if (!failure.empty()) break;
                // the pair made `handoffs` runs in all; the last one stopped it
                const std::uint64_t h = r->handoffs.load();
                a.expected = static_cast<std::uint32_t>(a.runs);
                b.expected = static_cast<std::uint32_t>(b.runs);
                r->submitted += h;
                if (!settle("the drain after a hog")) break;
                if (a.runs + b.runs != h) failure = "the hog's pair ran " + std::to_string(a.runs + b.runs) +
                                                    " times for " + std::to_string(h) + " hand-offs";
                const std::uint64_t at = r->third_at.load();
                if (failure.empty() && at > fair_bound)
                    failure = "a hog's third job ran after " + std::to_string(at) + " hand-offs of the pair (bound " +
                              std::to_string(fair_bound) + ")";
                break;
            }
        }
    }
    if (failure.empty()) settle("the final drain");
    if (failure.rfind("stranded", 0) == 0) {
        (void)pool.release(), (void)r.release();  // its drain would never return: abandoned
        return failure;
    }
    if (!failure.empty()) {
        pool->shutdown();
        return failure;
    }
    pool->shutdown();
    if (r->off_pool.load()) return std::to_string(r->off_pool.load()) + " runs off the pool's workers";
    if (r->refused.load()) return std::to_string(r->refused.load()) + " inside submissions refused";
    if (r->ran.load() != r->submitted)
        return std::to_string(r->ran.load()) + " runs for " + std::to_string(r->submitted) + " submissions";
    for (std::size_t q = 0; q < r->jobs.size(); ++q) {
        const job& j = r->jobs[q];
        if (j.runs != j.expected)
            return "job " + std::to_string(q) + " ran " + std::to_string(j.runs) + " times, submitted " +
                   std::to_string(j.expected);
    }
    return {};
}

template <class E>
result check_sequences(const options& opt, const rapidcheck_options& rc_opts, const entry_context& ctx,
                       std::string& trace) {
    using P = typename E::template type<native_world>;
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    std::string last_failure;
    const bool ok = rc::check(std::string(E::name) + " sequences", [&] {
        const unsigned workers = *rc::gen::inRange(1u, 3u);
        const auto cmds = *rc::gen::container<std::vector<command>>(gen_command());
        const std::string why = run_sequence<P>(cmds, workers, opt);
        if (!why.empty()) last_failure = why;
        RC_ASSERT(why.empty());
    });
    std::cerr.rdbuf(old);
    json m = rc_opts.metrics(params);
    if (ok) return result::pass("", m);
    trace = captured.str();
    return result::fail("sequences: " + last_failure + " (shrunk counterexample in trace)", {}, m);
}

template <class E>
result check_entry(const options& opt, const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using P = typename E::template type<native_world>;
    json m;
    m["bound"] = fair_bound;
    std::string why, trace, passed;
    if (opt.part != "sequences") {
        why = ping_pong_hog<P>(opt, m);
        // A stranded pool is abandoned, and the rest would strand the same
        // way, each sequence shrink step after `seq_quiet` seconds: the
        // entry's verdict is given (--part sequences runs them alone).
        if (why.find("stranded") != std::string::npos) return result::fail(why, {}, m);
        const std::string second = outside_progress<P>(opt, m);
        if (why.empty()) why = second;
        else if (!second.empty()) why += "; " + second;
        if (why.empty())
            passed = "fair within " + std::to_string(fair_bound) + ": the third job after " +
                     m["hog_handoffs_before_third"].dump() + " hand-offs, the outside job after " +
                     m["outside_jobs_before"].dump() + " chain jobs";
    }
    if (opt.part != "scenarios") {
        const result seq = check_sequences<E>(opt, rc_opts, ctx, trace);
        m["rc_params"] = rc_opts.use(ctx.seed);
        m["sequences"] = rc_opts.max_success;
        if (seq.got == verdict::fail) {
            why += (why.empty() ? "" : "; ") + seq.detail;
        } else {
            passed += std::string(passed.empty() ? "" : "; ") + std::to_string(rc_opts.max_success) +
                      " random command sequences: every job once, every drain returned";
        }
    }
    if (!why.empty()) return result::fail(why, trace, m);
    return result::pass(passed, m);
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    check_program prog("pool_property", check_kind::property,
                       "The pool contract's fairness bounds on real threads: a ping-pong pair cannot starve a\n"
                       "third job (Go's TestPingPongHog shape), an outside submission progresses while the\n"
                       "worker's own queue is busy; and random command sequences (RapidCheck, shrunk): every\n"
                       "job exactly once, every drain returns.",
                       30.0);
    rapidcheck_options rc_opts{40};
    rc_opts.declare(prog);
    prog.options()
        .option("--limit", "N", "hand-offs / chain jobs before a starving scenario stops (default 100000)",
                opt.limit, std::uint64_t{fair_bound + 1}, std::uint64_t{1} << 40)
        .option("--quiet", "S", "seconds without progress that make a job stranded (default 1)", opt.quiet, 0.1,
                600.0)
        .option("--seq-quiet", "S", "the sequences' stranded judgement, seconds without a run (default 0.25)",
                opt.seq_quiet, 0.05, 600.0)
        .option("--part", "NAME", "all (default), scenarios or sequences", opt.part);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    if (opt.part != "all" && opt.part != "scenarios" && opt.part != "sequences")
        return prog.options().error("--part takes all, scenarios or sequences, not '" + opt.part + "'");
    prog.run<pool_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.property.kind == expect::skip)
            return result::fail("the body of an entry whose property check is skipped ran");
        else
            return check_entry<E>(opt, rc_opts, ctx);
    });
    return prog.finish();
}
