// Progress check "progress" for every queue in the catalogue: does the entry
// keep its declared progress guarantee (wait-free, lock-free, blocking) when
// one of its threads is stopped in the middle of an operation?
//
// The method is Lincheck's: stop one thread at a random point inside
// try_push or try_pop (a signal parks it there; suspender.hpp), and require
// the others to keep completing *successful* operations while it is stopped.
// A lock-free queue must let them; a queue whose operations wait for a
// thread that has claimed a lock or a cell (the mutex queues, Vyukov's
// queues, ticket queues) does not, once the stop lands inside the claim.
//
// The threads follow the entry's multiplicity through roles_for
// (primitives/queues/roles.hpp): a multi side gets 2 threads, so with one
// thread stopped the others still include both a producer and a consumer
// wherever the contract allows two of the stopped role. Bounded queues are
// built with capacity 64; producers of an unbounded queue push only while
// fewer than `outstanding` (16) items are pushed-but-not-popped by completed
// operations. Consumers pop all the time. Every thread retries at once.
//
// The fair criterion. "The others made no successful operation" is a stall
// only when one of their operations must succeed, judged from completed
// operations alone (out = completed pushes - completed pops):
//   * a consumer's try_pop must succeed when a consumer is running and
//     out - (1 if the stopped thread is a consumer) > 0: that many items were
//     pushed by completed pushes and taken by no pop, counting the stopped
//     pop as having taken one (a stopped push can only add one);
//   * a producer's try_push must succeed when a producer is running and
//     out + (1 if the stopped thread is a producer) < capacity (bounded), or
//     out < 16 (unbounded: the producers do push then).
// For a linearizable lock-free queue, while the others are silent the
// queue's state is fixed, so one of those operations failing for 100 ms
// (or never returning) breaches the claim. When neither holds (the stopped
// thread is the only consumer and the producers filled the queue or reached
// 16, or the only producer and the consumers emptied it), the others did
// everything possible: not a stall. With a producer and a consumer running,
// one of the two always holds (capacity >= 2). The bound of 16 keeps an
// unbounded queue's backlog short, so an item hidden behind the stopped
// thread (Vyukov's MPSC queue: a producer stopped between its exchange and
// its link) is reached within microseconds and no stale backlog passes for
// progress. The others' successes without the stopped thread, when it
// blocks them, stay near one lap of the ring or the bound (below 2 x (64 +
// 64)), far below the 1024 that count as progress (progress_trials.hpp).
//
// Verdict: fail when any trial stalls (the detail names the stopped role,
// the operation and call, the interrupted pc, how long the others were
// silent and which operation of theirs had to succeed). Trials alternate
// between stopping a producer and a consumer; stop points are random (a
// signal at a random moment, retried when it lands between operations or in
// library code). Not run under ThreadSanitizer (signal-parked threads and
// TSan's own signal handling would fight; meson does not build it there).
// Replay: the trial plan derives from the entry's seed; the landing points of
// the signals do not.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"
#include "stress/progress/progress_trials.hpp"

namespace {

using namespace gauntlet;
using progress::worker;

constexpr int op_push = 1, op_pop = 2;
constexpr std::size_t capacity = 64;
constexpr std::uint64_t outstanding = 16;

template <class E>
result check_queue(const entry_context& ctx, const progress::trial_options& opt) {
    using Q = typename E::template type<native_world>;
    const queue_roles roles = roles_for(E::traits, 2, 2);
    Q q(capacity);
    const std::size_t bound = bound_in_force(q, capacity);

    std::vector<cache_padded<worker>> ws(roles.threads());  // each thread writes its own worker
    std::vector<worker*> all;
    for (unsigned i = 0; i < roles.threads(); ++i) {
        const bool producer = i < roles.producers;
        ws[i]->ops = 1u << (producer ? op_push : op_pop);
        ws[i]->name = producer ? "producer " + std::to_string(i) : "consumer " + std::to_string(i - roles.producers);
        all.push_back(&*ws[i]);
    }
    auto completed = [&](bool pushes) {
        std::uint64_t n = 0;
        for (unsigned i = 0; i < roles.threads(); ++i)
            if ((i < roles.producers) == pushes) n += ws[i]->successes.load(std::memory_order_relaxed);
        return n;
    };
    // Signed: a pop may take the item of a push that has not yet counted
    // itself (the stopped push, or one about to count), so out can be -1.
    auto out_now = [&] { return static_cast<std::int64_t>(completed(true)) - static_cast<std::int64_t>(completed(false)); };

    std::atomic<bool> stop{false};
    std::atomic<unsigned> ready{0};
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < roles.threads(); ++i)
        threads.emplace_back([&, i] {
            worker& me = *ws[i];
            me.enter_thread();
            ready.fetch_add(1);
            std::uint64_t seq = 0;
            // A failed operation is retried at once (a pause between
            // attempts would be where most interrupts land); a producer held
            // back by the bound of 16 yields the core to the consumers.
            if (i < roles.producers) {
                const std::uint64_t tag = std::uint64_t{i} << 40;
                while (!stop.load(std::memory_order_relaxed)) {
                    if (!E::traits.bounded && out_now() >= static_cast<std::int64_t>(outstanding)) {
                        std::this_thread::yield();
                        continue;
                    }
                    if (me.slot.run(op_push, [&] { return q.try_push(tag | seq); })) {
                        ++seq;
                        me.succeeded();
                    }
                }
            } else {
                std::uint64_t v = 0;
                while (!stop.load(std::memory_order_relaxed)) {
                    if (me.slot.run(op_pop, [&] { return q.try_pop(v); })) me.succeeded();
                }
            }
        });
    while (ready.load() < roles.threads()) std::this_thread::yield();

    auto possible = [&](std::size_t victim, int op) -> std::string {
        const unsigned live_producers = roles.producers - (op == op_push ? 1 : 0);
        const unsigned live_consumers = roles.consumers - (op == op_pop ? 1 : 0);
        (void)victim;
        const std::int64_t out = out_now();
        const std::int64_t held_by_stopped_pop = op == op_pop ? 1 : 0;
        if (live_consumers > 0 && out > held_by_stopped_pop)
            return std::to_string(out - held_by_stopped_pop) +
                   " items pushed by completed pushes were in the queue (not taken by any pop, counting the stopped "
                   "one): a running consumer's try_pop had to succeed";
        const std::int64_t room = E::traits.bounded ? static_cast<std::int64_t>(bound) - (op == op_push ? 1 : 0)
                                                    : static_cast<std::int64_t>(outstanding);
        if (live_producers > 0 && out < room)
            return E::traits.bounded
                       ? "the queue held at most " + std::to_string(out + (op == op_push ? 1 : 0)) + " of its " +
                             std::to_string(bound) + " cells (counting the stopped push): a running producer's "
                             "try_push had to succeed"
                       : "only " + std::to_string(out) + " items were outstanding in the unbounded queue: a running "
                         "producer's try_push had to succeed";
        return {};
    };
    const std::vector<std::string> op_names{"", "try_push", "try_pop"};
    const progress::trial_summary s = progress::run_trials(all, op_names, possible, ctx.seed, opt);
    stop.store(true);
    for (auto& t : threads) t.join();
    const std::string shape = std::to_string(roles.producers) + "P" + std::to_string(roles.consumers) + "C, " +
                              (E::traits.bounded ? "capacity " + std::to_string(bound)
                                                 : "unbounded, at most " + std::to_string(outstanding) + " outstanding");
    result r = progress::verdict_of(s, op_names, shape, opt);
    r.metrics["declared"] = to_string(E::progress);
    r.metrics["producers"] = roles.producers;
    r.metrics["consumers"] = roles.consumers;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    progress::trial_options opt;
    check_program prog("queue_progress", check_kind::progress,
                       "Progress guarantees of every catalogue queue: one thread stopped inside try_push/try_pop, "
                       "the others must keep completing successful operations.",
                       30.0);
    progress::declare_trial_options(prog.options(), opt);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    progress::suspender::instance().install();
    prog.run<queue_kind>(
        [&]<class E>(const entry_context& ctx) -> result { return check_queue<E>(ctx, opt); });
    return prog.finish();
}
