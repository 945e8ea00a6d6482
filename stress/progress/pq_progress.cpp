// Progress check "progress" for every priority queue in the catalogue: one
// thread stopped inside push or pop, the others must keep completing
// successful operations (the trial loop and the verdict are
// progress_trials.hpp's, as for queues and deques).
//
// The threads: two producers and the consumer. A producer's operation is
// push(p, item) followed by flush(p), so a completed operation has published
// its item whatever the entry buffers (seed_batches publishes a batch of
// one: its visibility defect is the property and stress checks' to judge,
// not this one's). Producers push while fewer than `outstanding` (16) items
// are pushed-but-not-popped by completed operations; the consumer pops all
// the time.
//
// The fair criterion, from completed operations alone
// (out = completed pushes - completed pops):
//   * a producer stopped: the other producer and the consumer run; a push
//     must succeed when out < 16, a pop when out > 0 (a stopped push can only
//     add an item) - one of the two always holds;
//   * the consumer stopped: a push must succeed when out < 16 (the queues
//     are unbounded); at 16 the producers hold back by design, and did
//     everything possible (not a stall). A stopped consumer bounds the
//     producers to 16 pushes, far below the 1024 that count as progress.
// What it sees: stops inside pop land in every trial that tries; stops
// inside push seldom do (0 to 2 per entry in 0.6 s), because two producers
// outpace the one consumer and sit at their bound, between operations, where
// a signal lands and is retried until the trial gives up (300 ms; counted as
// not landed, in the record). So a producer that blocks the others while
// stopped is seen only when it is also what a stopped consumer waits for.
// Verdict: fail when any trial stalls, with the stopped role, operation and
// interrupted pc. Native build only, as for queues.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pq/catalogue.hpp"
#include "stress/progress/progress_trials.hpp"

namespace {

using namespace gauntlet;
using progress::worker;

constexpr int op_push = 1, op_pop = 2;
constexpr std::int64_t outstanding = 16;
constexpr unsigned producers = 2;

template <class E>
result check_pq(const entry_context& ctx, const progress::trial_options& opt) {
    using Q = typename E::template type<native_world>;
    Q q(producers);

    std::vector<cache_padded<worker>> ws(producers + 1);  // each thread writes its own worker
    std::vector<worker*> all;
    for (unsigned i = 0; i < producers; ++i) {
        ws[i]->ops = 1u << op_push;
        ws[i]->name = "producer " + std::to_string(i);
    }
    ws[producers]->ops = 1u << op_pop;
    ws[producers]->name = "consumer";
    for (auto& w : ws) all.push_back(&*w);
    auto out_now = [&] {
        std::int64_t n = 0;
        for (unsigned i = 0; i < producers; ++i) n += static_cast<std::int64_t>(ws[i]->successes.load(std::memory_order_relaxed));
        return n - static_cast<std::int64_t>(ws[producers]->successes.load(std::memory_order_relaxed));
    };

    std::atomic<bool> stop{false};
    std::atomic<unsigned> ready{0};
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < producers; ++i)
        threads.emplace_back([&, i] {
            worker& me = *ws[i];
            me.enter_thread();
            ready.fetch_add(1);
            std::uint64_t seq = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                if (out_now() >= outstanding) {
                    std::this_thread::yield();
                    continue;
                }
                const pq_item v{static_cast<std::uint32_t>((seq * 2654435761u + i) % 64), (std::uint64_t{i} << 40) | seq};
                if (me.slot.run(op_push, [&] {
                        q.push(i, v);
                        q.flush(i);
                        return true;
                    })) {
                    ++seq;
                    me.succeeded();
                }
            }
        });
    threads.emplace_back([&] {
        worker& me = *ws[producers];
        me.enter_thread();
        // The one consumer faces two producers: at the workers' nice 10 the
        // producers would sit at their bound, between operations, where no
        // stop can land; nice 5 keeps it ahead (still below the controller).
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
        ready.fetch_add(1);
        pq_item v;
        while (!stop.load(std::memory_order_relaxed))
            if (me.slot.run(op_pop, [&] { return q.try_pop(v); })) me.succeeded();
    });
    while (ready.load() < producers + 1) std::this_thread::yield();

    auto possible = [&](std::size_t, int op) -> std::string {
        const std::int64_t out = out_now();
        if (op == op_push)
            return out > 0 ? std::to_string(out) + " items pushed by completed pushes were untaken: the consumer's pop "
                                                  "had to succeed"
                           : "no item was outstanding: the running producer's push had to succeed";
        if (out < outstanding)
            return "only " + std::to_string(out) + " items were outstanding: a running producer's push had to succeed";
        return {};
    };
    const std::vector<std::string> op_names{"", "push", "pop"};
    const progress::trial_summary s = progress::run_trials(all, op_names, possible, ctx.seed, opt);
    stop.store(true);
    for (auto& t : threads) t.join();
    result r = progress::verdict_of(s, op_names, "2 producers + the consumer, at most 16 outstanding", opt);
    r.metrics["declared"] = to_string(E::progress);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    progress::trial_options opt;
    opt.seconds = 0.6;
    check_program prog("pq_progress", check_kind::progress,
                       "Progress guarantees of every catalogue priority queue: a producer or the consumer stopped "
                       "inside push or pop, the others must keep completing successful operations.",
                       30.0);
    progress::declare_trial_options(prog.options(), opt);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    progress::suspender::instance().install();
    prog.run<pq_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.progress.kind == expect::skip)
            return result::fail("the body of an entry whose progress check is skipped ran");
        else
            return check_pq<E>(ctx, opt);
    });
    return prog.finish();
}
