// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// pool x loop pair of the bridge catalogue (primitives/pool/bridge.hpp): a
// work task runs on the pool and completes on the loop, as a task
// (work_task) or as a microtask (promise_task).
//
// Per entry: a pool of 2 workers, a loop on its own thread, `tasks` bridge
// tasks (default 250, 80 under TSan: 38 pairs share the time 12 had with
// 2000 and 500; a child's start, its three threads and its exit are most of
// an entry's time) scheduled from the loop thread inside the loop's first
// task, which then holds the loop until 64 of them have run on the pool (so
// that completions arrive together and queue up behind each other). The
// pool and the loop come in behind virtual calls (bridge_erased.hpp).
// Each run() spins 0-255 pause steps and raises its task's done flag. Judged:
//   * exactly once: every run() once, every then() once, every reaction
//     (promise_task) once, and run() before then() (the flag, read with
//     acquire on the loop thread);
//   * run() on a worker of this pool; then() and the reaction on the loop
//     thread;
//   * the phase. work_task: then() is a task, so the microtask it queues
//     runs before the next completion does (the loop drains after every
//     task). promise_task: the reaction is a microtask of the task that
//     called then(), so it runs before any other completion's then();
//   * run() returns (every keep-alive reference the bridge took is dropped)
//     within `quiet` seconds of the last progress.
// What the phase check cannot see: it orders the check's own callbacks, so
// a completion delivered as a microtask of some other task than its own
// would pass the work_task judge.
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
#include "primitives/pool/bridge_catalogue.hpp"
#include "primitives/pool/bridge_erased.hpp"
#include "stress/pool/pool_wait.hpp"

namespace {

using namespace gauntlet;

struct options {
    std::uint32_t tasks = 250;
    double quiet = 2.0;
};

template <class Pool, class Loop>
struct state {
    Pool* pool = nullptr;
    Loop* loop = nullptr;
    std::thread::id loop_thread;
    std::vector<std::uint32_t> spin;
    std::unique_ptr<std::atomic<std::uint32_t>[]> ran;
    std::unique_ptr<std::atomic<bool>[]> done;
    std::atomic<std::uint64_t> ran_total{0}, completed{0};
    // loop thread only
    std::vector<std::uint32_t> thens, reactions;
    std::int64_t awaiting = -1;  // promise_task: then() ran, its reaction not yet
    std::int64_t probe_for = -1;  // work_task: then()'s microtask not yet run
    std::string first_error;
    void error(std::string e) {
        if (first_error.empty()) first_error = std::move(e);
    }
    bool on_loop_thread() const { return std::this_thread::get_id() == loop_thread; }
};

template <class Pool, class Loop>
struct check_ctx {
    state<Pool, Loop>* s = nullptr;
    std::uint32_t id = 0;

    void run() {
        if (pool_thread_slot<native_world>::get().pool != s->pool->identity())
            s->error("run() of task " + std::to_string(id) + " ran off the pool's workers");
        for (std::uint32_t k = 0; k < s->spin[id]; ++k) native_world::spin_hint();
        s->ran[id].fetch_add(1, std::memory_order_relaxed);
        s->done[id].store(true, std::memory_order_release);
        s->ran_total.fetch_add(1, std::memory_order_release);
    }
    void then() {
        if (!s->on_loop_thread()) {
            s->error("then() of task " + std::to_string(id) + " ran on a thread that is not the loop's");
            s->completed.fetch_add(1, std::memory_order_release);
            return;
        }
        if (!s->done[id].load(std::memory_order_acquire)) s->error("then() of task " + std::to_string(id) + " before its run()");
        ++s->thens[id];
        if (s->awaiting >= 0)
            s->error("then() of task " + std::to_string(id) + " ran before the reaction of task " +
                     std::to_string(s->awaiting) + " (a reaction must run in the drain of its own task)");
        if (s->probe_for >= 0)
            s->error("then() of task " + std::to_string(id) + " ran before the microtask queued by task " +
                     std::to_string(s->probe_for) + "'s then() (a then() must be a task, drained after it)");
    }
};

template <class Pool, class Loop>
struct work_ctx : check_ctx<Pool, Loop> {
    static void probe(void* p) {
        auto* c = static_cast<work_ctx*>(p);
        if (c->s->probe_for != static_cast<std::int64_t>(c->id))
            c->s->error("the microtask of task " + std::to_string(c->id) + "'s then() ran after another completion");
        c->s->probe_for = -1;
        c->s->completed.fetch_add(1, std::memory_order_release);
    }
    void then() {
        check_ctx<Pool, Loop>::then();
        if (!this->s->on_loop_thread()) return;
        this->s->probe_for = this->id;
        this->s->loop->microtask(task{&probe, this});
    }
};

template <class Pool, class Loop>
struct promise_ctx : check_ctx<Pool, Loop> {
    void then() {
        check_ctx<Pool, Loop>::then();
        if (this->s->on_loop_thread()) this->s->awaiting = this->id;
    }
    void reaction() {
        auto* s = this->s;
        if (!s->on_loop_thread()) {
            s->error("the reaction of task " + std::to_string(this->id) + " ran off the loop thread");
        } else {
            ++s->reactions[this->id];
            if (s->awaiting != static_cast<std::int64_t>(this->id))
                s->error("the reaction of task " + std::to_string(this->id) +
                         " did not follow its then(): another completion ran between (awaiting " +
                         std::to_string(s->awaiting) + ")");
            s->awaiting = -1;
        }
        s->completed.fetch_add(1, std::memory_order_release);
    }
};

// One instantiation per mode and policy: the pair's pool and loop come in
// behind virtual calls (primitives/pool/bridge_erased.hpp).
template <bool promise, class Policy>
result check_pair(const options& opt, const entry_context& ctx, std::unique_ptr<any_pool> pool,
                  std::unique_ptr<any_loop> loop) {
    using Pool = any_pool;
    using Loop = any_loop;
    using C = std::conditional_t<promise, promise_ctx<Pool, Loop>, work_ctx<Pool, Loop>>;
    using T = std::conditional_t<promise, promise_task<Pool, Loop, C, Policy>, work_task<Pool, Loop, C, Policy>>;
    const std::uint32_t n = opt.tasks;
    auto s = std::make_unique<state<Pool, Loop>>();
    s->pool = pool.get();
    s->loop = loop.get();
    std::mt19937_64 rng(ctx.seed);
    s->spin.resize(n);
    for (auto& k : s->spin) k = static_cast<std::uint32_t>(rng() % 256);
    s->ran.reset(new std::atomic<std::uint32_t>[n]);
    s->done.reset(new std::atomic<bool>[n]);
    for (std::uint32_t i = 0; i < n; ++i) {
        s->ran[i].store(0);
        s->done[i].store(false);
    }
    s->thens.assign(n, 0);
    s->reactions.assign(n, 0);
    std::vector<std::unique_ptr<T>> tasks;
    tasks.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        tasks.push_back(std::make_unique<T>(*pool, *loop));
        tasks.back()->ctx.s = s.get();
        tasks.back()->ctx.id = i;
    }
    struct starter_t {
        state<Pool, Loop>* s;
        std::vector<std::unique_ptr<T>>* tasks;
        std::uint32_t refused = 0;
    } starter{s.get(), &tasks};
    loop->post(task{[](void* p) {
                        auto* st = static_cast<starter_t*>(p);
                        for (auto& t : *st->tasks) st->refused += t->schedule() ? 0 : 1;
                        const std::uint64_t hold = std::min<std::uint64_t>(64, st->tasks->size());
                        const auto t0 = std::chrono::steady_clock::now();
                        while (st->s->ran_total.load(std::memory_order_acquire) < hold &&
                               std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2))
                            std::this_thread::yield();
                    },
                    &starter});
    std::atomic<bool> loop_returned{false};
    std::thread loop_thread([&] {
        s->loop_thread = std::this_thread::get_id();
        loop->run();
        loop_returned.store(true, std::memory_order_release);
    });
    json m;
    m["tasks"] = n;
    const bool finished = pool_check::wait_for_count(s->completed, n, opt.quiet);
    if (!finished) {
        const std::uint64_t completed = s->completed.load();
        m["completed"] = completed;
        // The loop or the pool holds what never completed: neither is torn down.
        (void)pool.release(), (void)loop.release(), (void)s.release();
        for (auto& t : tasks) (void)t.release();
        loop_thread.detach();
        return result::fail("stranded: " + std::to_string(n - completed) + " of " + std::to_string(n) +
                                " completions never ran on the loop (" + std::to_string(opt.quiet) +
                                " s without progress)",
                            {}, m);
    }
    loop_thread.join();  // run() returns once every keep-alive reference is dropped
    loop->close();
    pool->shutdown();
    if (starter.refused) return result::fail(std::to_string(starter.refused) + " schedule() calls refused", {}, m);
    if (!s->first_error.empty()) return result::fail(s->first_error, {}, m);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (s->ran[i].load() != 1) return result::fail("run() of task " + std::to_string(i) + " ran " + std::to_string(s->ran[i].load()) + " times", {}, m);
        if (s->thens[i] != 1) return result::fail("then() of task " + std::to_string(i) + " ran " + std::to_string(s->thens[i]) + " times", {}, m);
        if (promise && s->reactions[i] != 1)
            return result::fail("the reaction of task " + std::to_string(i) + " ran " + std::to_string(s->reactions[i]) + " times", {}, m);
    }
    return result::pass(std::string("exactly once, run() on the pool, ") +
                            (promise ? "then() on the loop thread and its reaction as the next microtask"
                                     : "then() on the loop thread as a task (drained before the next)") +
                            ": " + std::to_string(n) + " tasks",
                        m);
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    if (under_tsan()) opt.tasks = 80;
    // the same body is the check "asan" in the AddressSanitizer build
    const check_kind kind = under_tsan() ? check_kind::tsan : under_asan() ? check_kind::asan : check_kind::stress;
    check_program prog("pool_bridge", kind,
                       "The pool-to-loop bridge for every pool x loop pair: work on the pool, completion on the\n"
                       "loop thread as a task (WorkTask) or a microtask (ConcurrentPromiseTask); exactly once, on\n"
                       "the loop thread, in the stated phase.",
                       kind == check_kind::stress ? 20.0 : 60.0);
    prog.options()
        .option("--tasks", "N", "bridge tasks per entry (default 250, 80 under TSan)", opt.tasks, 1u, 1000000u)
        .option("--quiet", "S", "seconds without progress that make a completion stranded (default 2)", opt.quiet,
                0.1, 600.0);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<bridge_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.stress.kind == expect::skip && E::expected.tsan.kind == expect::skip &&
                      E::expected.asan.kind == expect::skip)
            return result::fail("the body of an entry whose stress check is skipped ran");
        else
            return check_pair<E::mode == bridge_mode::promise_task, typename E::policy>(
                opt, ctx, make_erased_pool<typename E::pool_entry>(2u), make_erased_loop<typename E::loop_entry>());
    });
    return prog.finish();
}
