// model check, loop: Relacy explores posters racing the loop's sleep and
// posts racing close(), for every loop entry, over the entry's own source
// compiled in the Relacy world (channels.hpp, basic_loop.hpp, the lifecycle).
//
// The sleep is the world's wake_event (wake_event.hpp): one atomic word,
// sticky like the kernel's eventfd counter (a signal before the wait is not
// lost), exchanged acq_rel like the kernel orders a write before the read
// that sees it; a parked loop is Relacy's waitset, so a loop asleep with a
// task queued and nobody left to wake it is reported as a deadlock.
//
// post vs sleep (1 loop thread + P posters, K posts each): the scenario
// holds one keep-alive reference that the last task to run drops, so the
// loop has nothing but the posts to wake it: a lost wake-up leaves it
// parked forever. Afterwards every task ran exactly once, each poster's in
// its order.
// post vs close (1 loop thread + 2 posters + 1 closer): each poster posts
// twice; the keep-alive is dropped by the last poster after its posts.
// Every accepted task ran exactly once, no refused one ran, and a poster
// refused once is refused again (no admission after DRAINING is observed).
//
// high water (1 loop thread + 2 posters, mark 1): see high_water_race.
//
// Search, in order, stopping at the first failure: every schedule with at
// most 1 preemption of post-vs-sleep with 2 posters x 1 post (about 240
// thousand executions, under a second) and with 1 poster x 2 posts, then
// --executions random executions of post vs close and of post-vs-sleep with
// 2 posters x 2 posts from the run's --seed (default 0, committed), then
// every schedule of the high-water race with at most 1 preemption (posters
// told full: 380 thousand executions; 2 preemptions take 10 million, a
// minute per entry) and --executions random ones (posters waiting: 1
// preemption is 2.3 million executions, 22 s per entry). Two
// preemptions of the 2 x 1 scenario take 5.7 million executions, 19 s per
// entry, and one of post vs close more than four minutes: beyond the quick
// tier. (Every free is a branch of Relacy's search, deferred or not: the
// loop's own queues allocate nothing until used, loop_thread_queues.hpp.)
// What the search cannot see: Relacy makes stores visible in execution
// order (no load-buffering executions); the eventfd is modelled, not the
// kernel's.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <string>

#include "models/model_check.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/loop/catalogue.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;

template <class Entry, unsigned P, unsigned K>
struct post_vs_sleep : rl::test_suite<post_vs_sleep<Entry, P, K>, 1 + P> {
    using L = typename Entry::template type<W>;
    static constexpr unsigned total = P * K;

    struct job {
        post_vs_sleep* self;
        unsigned poster, k;
    };
    L* loop = nullptr;
    job jobs[P][K];
    unsigned ran[P][K] = {};       // loop thread only
    unsigned next_k[P] = {};       // loop thread only
    unsigned done = 0;             // loop thread only
    bool order_ok = true;

    static void run_job(void* p) {
        job& j = *static_cast<job*>(p);
        post_vs_sleep& s = *j.self;
        ++s.ran[j.poster][j.k];
        if (j.k < s.next_k[j.poster]) s.order_ok = false;
        s.next_k[j.poster] = j.k + 1;
        if (++s.done == total) s.loop->unref();  // the last task lets run() return
    }

    void before() {
        loop = W::make<L>();
        loop->ref();
        for (unsigned p = 0; p < P; ++p)
            for (unsigned k = 0; k < K; ++k) jobs[p][k] = {this, p, k};
    }
    void thread(unsigned index) {
        if (index == 0) {
            loop->run();
            return;
        }
        const unsigned p = index - 1;
        for (unsigned k = 0; k < K; ++k) RL_ASSERT(loop->post(task{&run_job, &jobs[p][k]}) == post_status::accepted);
    }
    void after() {
        for (unsigned p = 0; p < P; ++p)
            for (unsigned k = 0; k < K; ++k) RL_ASSERT(ran[p][k] == 1);  // exactly once
        RL_ASSERT(order_ok);                                            // each poster's order
        W::destroy(loop);
    }
};

template <class Entry>
struct post_vs_close : rl::test_suite<post_vs_close<Entry>, 4> {
    using L = typename Entry::template type<W>;
    static constexpr unsigned P = 2, K = 2;

    struct job {
        post_vs_close* self;
        unsigned poster, k;
    };
    L* loop = nullptr;
    job jobs[P][K];
    unsigned ran[P][K] = {};  // loop thread only
    W::var<int> accepted[P][K];
    W::atomic<unsigned> finished{0};

    static void run_job(void* p) {
        job& j = *static_cast<job*>(p);
        ++j.self->ran[j.poster][j.k];
    }

    void before() {
        loop = W::make<L>();
        loop->ref();
        for (unsigned p = 0; p < P; ++p)
            for (unsigned k = 0; k < K; ++k) jobs[p][k] = {this, p, k};
    }
    void thread(unsigned index) {
        if (index == 0) {
            loop->run();
        } else if (index == 3) {
            loop->close();
        } else {
            const unsigned p = index - 1;
            bool refused = false;
            for (unsigned k = 0; k < K; ++k) {
                const bool ok = loop->post(task{&run_job, &jobs[p][k]}) == post_status::accepted;
                RL_ASSERT(!(refused && ok));  // no admission after a refusal
                refused = refused || !ok;
                accepted[p][k].store(ok ? 1 : 0);
            }
            if (finished.fetch_add(1, std::memory_order_acq_rel) == P - 1) loop->unref();
        }
    }
    void after() {
        for (unsigned p = 0; p < P; ++p)
            for (unsigned k = 0; k < K; ++k) RL_ASSERT(ran[p][k] == static_cast<unsigned>(accepted[p][k].load()));
        W::destroy(loop);
    }
};

// high water (1 loop thread + 2 posters, mark 1): each poster posts once,
// with post() (Wait false: told full when the other's task is queued) or
// post_wait() (Wait true: waits for the place). The keep-alive is dropped by
// the last poster. The count of queued tasks never exceeded the mark
// (peak_queued), every accepted task ran exactly once, a task told full
// never ran; a waiter left parked with the place free is a deadlock.
template <class Entry, bool Wait>
struct high_water_race : rl::test_suite<high_water_race<Entry, Wait>, 3> {
    using L = typename Entry::template type<W>;
    L* loop = nullptr;
    unsigned ran[2] = {};  // loop thread only
    W::var<int> accepted[2];
    W::atomic<unsigned> finished{0};
    struct job {
        high_water_race* self;
        unsigned poster;
    } jobs[2];

    static void run_job(void* p) {
        job& j = *static_cast<job*>(p);
        ++j.self->ran[j.poster];
    }
    void before() {
        loop = W::make<L>();
        loop->set_high_water(1);
        loop->ref();
        for (unsigned p = 0; p < 2; ++p) jobs[p] = {this, p};
    }
    void thread(unsigned index) {
        if (index == 0) {
            loop->run();
            return;
        }
        const unsigned p = index - 1;
        const task t{&run_job, &jobs[p]};
        const post_status st = Wait ? loop->post_wait(t) : loop->post(t);
        RL_ASSERT(st != post_status::refused);
        if (Wait) RL_ASSERT(st == post_status::accepted);
        accepted[p].store(st == post_status::accepted ? 1 : 0);
        if (finished.fetch_add(1, std::memory_order_acq_rel) == 1) loop->unref();
    }
    void after() {
        RL_ASSERT(loop->peak_queued() <= 1);  // never above the mark
        for (unsigned p = 0; p < 2; ++p) RL_ASSERT(ran[p] == static_cast<unsigned>(accepted[p].load()));
        W::destroy(loop);
    }
};

template <class Entry>
result check_entry(unsigned long random_executions, std::uint64_t seed) {
    model_budget wide;
    wide.iterations = random_executions;
    wide.seed = seed;
    search_run s;
    s.deepen<post_vs_sleep<Entry, 2, 1>>("post vs sleep, 2 posters x 1", 1);
    s.deepen<post_vs_sleep<Entry, 1, 2>>("post vs sleep, 1 poster x 2", 1);
    s.run<post_vs_close<Entry>, search_kind::random>("post vs close", wide);
    s.run<post_vs_sleep<Entry, 2, 2>, search_kind::random>("post vs sleep, 2 posters x 2", wide);
    s.deepen<high_water_race<Entry, false>>("high water, 2 posters told full", 1);
    s.run<high_water_race<Entry, true>, search_kind::random>("high water, 2 posters waiting", wide);
    return verdict_of(s);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned long executions = 100000;
    check_program prog("loop_model", check_kind::model,
                       "Model-checks every loop entry with Relacy: posters racing the loop's sleep, posts racing\n"
                       "close(); context-bounded searches, then random executions.",
                       600.0);
    prog.options().option("--executions", "N", "random executions of each random search (default 100000)",
                           executions, 1ul, 1000000000ul);
    prog.default_seed(0);  // a committed seed (Relacy's own sequence): held verdicts come from a fixed search
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<inhouse_loop_kind>([&]<class E>(const entry_context& ctx) -> result {
        static_assert(world_swappable<E>, "only entries written over a World can be model-checked");
        // An entry whose model expectation is skip never runs this body:
        // its scenarios are not compiled (each costs the build seconds).
        if constexpr (E::expected.model.kind == expect::skip)
            return result::fail("the body of an entry whose model check is skipped ran");
        else
            return check_entry<E>(executions, ctx.base_seed);
    });
    return prog.finish();
}
