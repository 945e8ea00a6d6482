// model check, pools: Relacy explores the race between submissions and
// workers going to sleep, on every world-swappable pool entry, over the
// entry's own source in the Relacy world, on a shrunk configuration: 2
// workers, deques of 2 slots.
//
// Threads 0 and 1 are the workers (run_worker); thread 2 is an outside
// thread. The pool holds its drain(): when a job is stranded (queued while
// every worker is parked, nobody left to wake one) the outside thread's
// drain and both workers block, and Relacy reports a DEADLOCK whose
// history names the pool's lines. Afterwards every job ran exactly once.
//   outside_submit   thread 2 submits 2 jobs from outside, drains, shuts
//                    down; the workers start searching, so the submissions
//                    race their sweeps, their announcements and their
//                    re-checks (the stranded job of a park without the
//                    final re-check needs exactly that: a submitter that
//                    sees a worker still searching, and that worker's sweep
//                    already past the inject queue)
//   outside_submit_3 the same with 3 jobs: a third submission comes after
//                    the workers' first park-and-wake round, so a wake-up
//                    flag left raised by the first round strands it
//   inside_spawn     thread 2 submits 1 job that submits 3 jobs from inside
//                    its worker (the 2-slot deque overflows into the inject
//                    queue) while the other worker searches and parks
//   shutdown_race    4 threads: thread 2 shuts the pool down while thread 3
//                    submits one job from outside; the job is refused, or
//                    accepted and run exactly once (an accepted job that no
//                    worker runs fails the assertion in after())
//
// Search: Relacy's random scheduler, --executions per scenario (default
// 30000) from --search-seed (default 0: the same search on every run), in
// the order outside_submit, inside_spawn, outside_submit_3, shutdown_race,
// stopping at the first failure. The context-bound search does not fit the quick tier: one
// preemption of outside_submit alone is 8971776 executions (195 s, no
// violation, measured on an earlier version of the park protocol). Deeper
// runs: --executions 1000000 (about 3 minutes per entry).
// What the search cannot see: stores become visible in execution order (no
// load-buffering outcomes); the futex is modelled as Relacy's waitset with
// an atomic compare (relacy_world.hpp), without spurious wake-ups; plain
// data that is not World::var (the workers' tick and random state, owner
// only) is not race-checked; with 2 workers a steal never loses a race to
// another thief, so the retry on abort is exercised only against the
// owner's pop of the last job; more than 2 workers, and interleavings
// beyond 2 preemptions, are not searched.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdint>
#include <string>

#include "models/model_check.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/pool/catalogue.hpp"

namespace gauntlet {
// Relacy's threads are fibers of one OS thread: a worker's identity is kept
// by Relacy's thread index instead of a thread_local (pool_thread.hpp).
template <>
struct pool_thread_slot<relacy_world> {
    static inline pool_thread_id ids[8];
    static pool_thread_id& get() { return ids[rl::thread_index()]; }
    static void reset() {
        for (auto& id : ids) id = {};
    }
};
}  // namespace gauntlet

namespace {

using namespace gauntlet;
using W = relacy_world;

template <class P>
P* make_pool() {
    if constexpr (requires { P(2u, pool_no_threads, std::size_t{2}); })
        return W::make<P>(2u, pool_no_threads, std::size_t{2});
    else
        return W::make<P>(2u, pool_no_threads);
}

template <class Entry, unsigned Outside, unsigned Children>
struct scenario : rl::test_suite<scenario<Entry, Outside, Children>, 3> {
    using P = typename Entry::template type<W>;
    static constexpr unsigned jobs_total = Outside + Children;

    struct job : pool_job {
        scenario* self = nullptr;
        unsigned id = 0;
    };
    P* pool = nullptr;
    job jobs[jobs_total];
    W::var<unsigned> ran[jobs_total];  // World::var: the drain must see every job's write

    static void run_job(pool_job* pj) {
        job& j = *static_cast<job*>(pj);
        scenario& s = *j.self;
        s.ran[j.id].store(s.ran[j.id].load() + 1);
        if (j.id == 0)
            for (unsigned c = 0; c < Children; ++c) RL_ASSERT(s.pool->submit(&s.jobs[Outside + c]));
    }

    void before() {
        pool_thread_slot<W>::reset();  // an iteration cut short may leave a worker's identity behind
        pool = make_pool<P>();
        for (unsigned i = 0; i < jobs_total; ++i) {
            jobs[i].run = &run_job;
            jobs[i].self = this;
            jobs[i].id = i;
            ran[i].store(0);
        }
    }

    void thread(unsigned index) {
        if (index < 2) {
            pool->run_worker(index);
            return;
        }
        for (unsigned i = 0; i < Outside; ++i) RL_ASSERT(pool->submit(&jobs[i]));
        pool->drain();
        // drained: every job ran once, and its work happens-before the drain's return
        for (unsigned i = 0; i < jobs_total; ++i) RL_ASSERT(ran[i].load() == 1);
        pool->shutdown();
    }

    void after() {
        for (unsigned i = 0; i < jobs_total; ++i) RL_ASSERT(ran[i].load() == 1);
        W::destroy(pool);
        pool = nullptr;
    }
};

// Shutdown racing an outside submission: thread 2 shuts the pool down while
// thread 3 submits one job. The submission is refused (submit() returns
// false, the job never runs) or accepted and then run exactly once before
// shutdown() returns: an accepted job that no worker runs is stranded.
template <class Entry>
struct shutdown_race : rl::test_suite<shutdown_race<Entry>, 4> {
    using P = typename Entry::template type<W>;

    P* pool = nullptr;
    pool_job job{};
    unsigned ran = 0;
    bool accepted = false;

    static inline shutdown_race* self = nullptr;
    static void run_job(pool_job*) { ++self->ran; }

    void before() {
        pool_thread_slot<W>::reset();
        pool = make_pool<P>();
        self = this;
        job.run = &run_job;
        ran = 0;
        accepted = false;
    }

    void thread(unsigned index) {
        if (index < 2) {
            pool->run_worker(index);
        } else if (index == 2) {
            pool->shutdown();
        } else {
            accepted = pool->submit(&job);
        }
    }

    void after() {
        RL_ASSERT(ran == (accepted ? 1u : 0u));  // accepted: run once; refused: never
        W::destroy(pool);
        pool = nullptr;
    }
};

template <class Entry>
result check_entry(unsigned long executions, std::uint64_t seed) {
    search_run s;
    model_budget b;
    b.iterations = executions;
    b.seed = seed;
    s.run<scenario<Entry, 2, 0>, search_kind::random>("outside_submit", b);
    s.run<scenario<Entry, 1, 3>, search_kind::random>("inside_spawn", b);
    s.run<scenario<Entry, 3, 0>, search_kind::random>("outside_submit_3", b);
    s.run<shutdown_race<Entry>, search_kind::random>("shutdown_race", b);
    result r = verdict_of(s);
    r.metrics["pool_blind_spots"] =
        "2 workers and 2-slot deques only (no two thieves on one deque); at most 3 outside jobs or 1 job with 3 "
        "children; no spurious futex or condition-variable wake-ups; owner-only plain fields not World::var";
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    unsigned long executions = 30000;
    std::uint64_t search_seed = 0;
    check_program prog("pool_model", check_kind::model,
                       "Model-checks every world-swappable pool entry with Relacy (2 workers, 2-slot deques):\n"
                       "outside submissions and a job's own submissions racing the workers' park; no job stranded,\n"
                       "every job exactly once.",
                       300.0);
    prog.options()
        .option("--executions", "N", "random executions per scenario (default 30000)", executions, 1ul, 1000000000ul)
        .option("--search-seed", "N", "the random search's seed (default 0: the committed search)", search_seed,
                std::uint64_t{0}, ~std::uint64_t{0});
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<inhouse_pool_kind>([&]<class E>(const entry_context&) -> result {
        static_assert(world_swappable<E>, "only entries written over a World can be model-checked");
        if constexpr (E::expected.model.kind == expect::skip)
            return result::fail("the body of an entry whose model check is skipped ran");
        else
            return check_entry<E>(executions, search_seed);
    });
    return prog.finish();
}
