// Progress check "progress" for every work-stealing deque in the catalogue:
// one thread stopped inside push, pop or steal, the others must keep
// completing successful operations (the method and the trial loop are
// queue_progress.cpp's, shared through progress_trials.hpp).
//
// The threads: the owner (push and pop) and two thieves (steal). The owner
// keeps the deque between 16 and 17 items by completed operations: it pushes
// while fewer than `outstanding` (16) pushed items are untaken, and pops
// otherwise; the thieves steal all the time, so the owner refills what they
// take. Bounded deques are built with capacity 64 (never full here).
//
// The fair criterion, judged from completed operations alone
// (out = completed pushes - completed pops - completed steals):
//   * a thief stopped: the owner is running, and one of its operations must
//     succeed: a push when out < 16 (room: 16 < 64), a pop when out >= 16,
//     as out - 1 >= 15 items are then in the deque even if the stopped steal
//     has taken one;
//   * the owner stopped (in push or pop): a thief's steal must succeed when
//     out - (1 if the owner is stopped in pop) > 0: that many items were
//     pushed by completed pushes and taken by nobody. When the thieves have
//     taken them all they did everything possible (not a stall): a stopped
//     owner bounds them to 17 steals, far below the 1024 that count as
//     progress.
// A failed steal (`empty` or `abort`) is not a success: `abort` means a
// thread that did succeed took the item, and that thread's success counts.
//
// Verdict: fail when any trial stalls, with the stopped role, operation and
// interrupted pc (progress_trials.hpp). Native build only, as for queues.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "stress/progress/progress_trials.hpp"

namespace {

using namespace gauntlet;
using progress::worker;

constexpr int op_push = 1, op_pop = 2, op_steal = 3;
constexpr std::size_t capacity = 64;
constexpr std::int64_t outstanding = 16;
constexpr unsigned thieves = 2;

template <class E>
result check_deque(const entry_context& ctx, const progress::trial_options& opt) {
    using D = typename E::template type<native_world>;
    D d(capacity);

    std::vector<cache_padded<worker>> ws(1 + thieves);  // each thread writes its own worker
    std::vector<worker*> all;
    ws[0]->ops = (1u << op_push) | (1u << op_pop);
    ws[0]->name = "owner";
    for (unsigned i = 1; i <= thieves; ++i) {
        ws[i]->ops = 1u << op_steal;
        ws[i]->name = "thief " + std::to_string(i);
    }
    for (auto& w : ws) all.push_back(&*w);
    // Completed pushes, and completed takes (pops and steals).
    std::atomic<std::uint64_t> pushes{0}, pops{0};
    auto out_now = [&] {
        std::uint64_t steals = 0;
        for (unsigned i = 1; i <= thieves; ++i) steals += ws[i]->successes.load(std::memory_order_relaxed);
        return static_cast<std::int64_t>(pushes.load(std::memory_order_relaxed)) -
               static_cast<std::int64_t>(pops.load(std::memory_order_relaxed)) - static_cast<std::int64_t>(steals);
    };

    std::atomic<bool> stop{false};
    std::atomic<unsigned> ready{0};
    std::vector<std::thread> threads;
    threads.emplace_back([&] {
        worker& me = *ws[0];
        me.enter_thread();
        ready.fetch_add(1);
        std::uint64_t seq = 1, v = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            if (out_now() < outstanding) {
                if (me.slot.run(op_push, [&] { return d.push(seq); })) {
                    ++seq;
                    pushes.store(pushes.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
                    me.succeeded();
                }
            } else if (me.slot.run(op_pop, [&] { return d.pop(v); })) {
                pops.store(pops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
                me.succeeded();
            }
        }
    });
    for (unsigned i = 1; i <= thieves; ++i)
        threads.emplace_back([&, i] {
            worker& me = *ws[i];
            me.enter_thread();
            ready.fetch_add(1);
            std::uint64_t v = 0;
            while (!stop.load(std::memory_order_relaxed))
                if (me.slot.run(op_steal, [&] { return d.steal(v) == steal_status::success; })) me.succeeded();
        });
    while (ready.load() < 1 + thieves) std::this_thread::yield();

    auto possible = [&](std::size_t, int op) -> std::string {
        const std::int64_t out = out_now();
        if (op == op_steal)
            return out < outstanding ? "the owner was running with " + std::to_string(out) +
                                           " items untaken (fewer than 16, capacity 64): its push had to succeed"
                                     : "the owner was running with " + std::to_string(out) +
                                           " items untaken by completed operations: its pop had to succeed";
        const std::int64_t held = op == op_pop ? 1 : 0;
        if (out - held > 0)
            return std::to_string(out - held) + " items pushed by completed pushes were in the deque (taken by nobody" +
                   (held ? ", counting the stopped pop" : "") + "): a running thief's steal had to succeed";
        return {};
    };
    const std::vector<std::string> op_names{"", "push", "pop", "steal"};
    const progress::trial_summary s = progress::run_trials(all, op_names, possible, ctx.seed, opt);
    stop.store(true);
    for (auto& t : threads) t.join();
    result r = progress::verdict_of(
        s, op_names, "owner + " + std::to_string(thieves) + " thieves, 16 items outstanding, capacity 64", opt);
    r.metrics["declared"] = to_string(E::progress);
    r.metrics["thieves"] = thieves;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    progress::trial_options opt;
    opt.seconds = 0.6;
    check_program prog("deque_progress", check_kind::progress,
                       "Progress guarantees of every catalogue deque: the owner or a thief stopped inside push, pop "
                       "or steal, the others must keep completing successful operations.",
                       30.0);
    progress::declare_trial_options(prog.options(), opt);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    progress::suspender::instance().install();
    prog.run<deque_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.progress.kind == expect::skip)
            return result::fail("the body of an entry whose progress check is skipped ran");
        else
            return check_deque<E>(ctx, opt);
    });
    return prog.finish();
}
