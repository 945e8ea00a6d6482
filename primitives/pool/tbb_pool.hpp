// tbb_pool (peer): oneTBB behind the pool contract (Debian libtbb-dev,
// oneTBB 2021.8).
//
// What maps: the workers are a tbb::task_arena of `workers` threads (none
// reserved for an outside thread); an outside submission is
// task_arena::enqueue (oneTBB's shared, FIFO-ish queue of the arena); a
// submission from inside a job is task_group::run, a spawn into the running
// thread's own task pool, which oneTBB takes LIFO and thieves steal FIFO. A
// tbb::global_control lets the market give the arena all its threads (its
// default is one fewer than the cores, for an outside thread that would
// join).
// What is the adapter's own: the count of accepted jobs that drain() waits
// for, the refusal after shutdown(), and the thread-local mark that tells an
// inside submission from an outside one (set around each job).
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <cstdint>

#include "primitives/native_world.hpp"
#include "primitives/pool/contract.hpp"
#include "primitives/pool/pool_thread.hpp"

namespace gauntlet {

class tbb_pool {
public:
    explicit tbb_pool(unsigned workers)
        : n_(workers < 1 ? 1 : workers),
          control_(tbb::global_control::max_allowed_parallelism, n_ + 1),
          arena_(static_cast<int>(n_), 0) {
        arena_.initialize();
    }
    tbb_pool(const tbb_pool&) = delete;
    tbb_pool& operator=(const tbb_pool&) = delete;
    ~tbb_pool() { shutdown(); }

    unsigned workers() const { return n_; }

    bool submit(pool_job* j) {
        if (pool_thread_slot<native_world>::get().pool == this) {
            pending_.fetch_add(1, std::memory_order_relaxed);
            group_.run([this, j] { run(j); });
            return true;
        }
        pending_.fetch_add(1, std::memory_order_seq_cst);
        if (closed_.load(std::memory_order_seq_cst)) {
            finished();
            return false;
        }
        arena_.enqueue([this, j] { run(j); });
        return true;
    }

    void drain() {
        for (std::uint32_t p = pending_.load(std::memory_order_acquire); p != 0;
             p = pending_.load(std::memory_order_acquire))
            pending_.wait(p, std::memory_order_acquire);
    }

    void shutdown() {
        if (stopped_) return;
        closed_.store(true, std::memory_order_seq_cst);
        drain();
        // Every job has run; the group's own bookkeeping ends in wait().
        arena_.execute([this] { group_.wait(); });
        arena_.terminate();
        stopped_ = true;
    }

private:
    void run(pool_job* j) {
        {
            pool_thread_scope<native_world> scope(this, 0);
            j->run(j);
        }
        finished();
    }
    void finished() {
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_all();
    }

    unsigned n_;
    tbb::global_control control_;
    tbb::task_arena arena_;
    tbb::task_group group_;
    std::atomic<std::uint32_t> pending_{0};
    std::atomic<bool> closed_{false};
    bool stopped_ = false;  // the owner's thread only
};

}  // namespace gauntlet
