// global_queue_pool: libuv's thread-pool shape (src/threadpool.c: one queue
// under one mutex, idle workers wait on one condition variable, a submit
// signals it when a worker is idle). Every job goes through the one queue,
// FIFO, from inside a job as from outside.
//
// All shared state is World::var under the one mutex (the queue's ring is
// locked_ring's World::var cells), so under Relacy a missing lock is a data
// race the model reports. A worker takes the lock once per job: it counts
// the job it ran and takes the next one in the same critical section.
//
// Threads: natively the constructor starts the workers. With `no_threads`
// (the model) the caller runs worker i by calling run_worker(i) from a
// thread of its own, and shutdown() joins nothing.
#pragma once

#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "primitives/locked_ring.hpp"
#include "primitives/pool/contract.hpp"
#include "primitives/pool/pool_thread.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct pool_no_threads_t {};
inline constexpr pool_no_threads_t pool_no_threads{};

struct global_queue_policy {
    // libuv signals the condition variable only when a worker is idle.
    // false (a mutant): a submit never signals; a sleeping worker waits on.
    static constexpr bool signal_on_submit = true;
};

template <world World, class Policy = global_queue_policy>
class global_queue_pool {
    template <class U>
    using var = typename World::template var<U>;

public:
    explicit global_queue_pool(unsigned workers) : global_queue_pool(workers, pool_no_threads) {
        for (unsigned i = 0; i < n_; ++i) threads_.emplace_back([this, i] { run_worker(i); });
    }
    global_queue_pool(unsigned workers, pool_no_threads_t) : n_(workers < 1 ? 1 : workers), q_(64) {}
    global_queue_pool(const global_queue_pool&) = delete;
    global_queue_pool& operator=(const global_queue_pool&) = delete;
    ~global_queue_pool() { shutdown(); }

    unsigned workers() const { return n_; }

    bool submit(pool_job* j) {
        const bool inside = pool_thread_slot<World>::get().pool == this;
        std::unique_lock<typename World::mutex> lock(q_.mutex);
        if (!inside && closed_.load()) return false;
        pending_.store(pending_.load() + 1);
        q_.push_back(j);
        if (Policy::signal_on_submit && idle_.load() > 0) work_cv_.notify_one();
        return true;
    }

    void drain() {
        std::unique_lock<typename World::mutex> lock(q_.mutex);
        while (pending_.load() != 0) drain_cv_.wait(lock);
    }

    void shutdown() {
        {
            std::unique_lock<typename World::mutex> lock(q_.mutex);
            if (stopped_.load()) return;
            closed_.store(true);
            while (pending_.load() != 0) drain_cv_.wait(lock);
            stopped_.store(true);
            work_cv_.notify_all();
        }
        for (auto& t : threads_) t.join();
        threads_.clear();
    }

    // Worker i's loop (started by the constructor natively).
    void run_worker(unsigned i) {
        pool_thread_scope<World> scope(this, i);
        std::unique_lock<typename World::mutex> lock(q_.mutex);
        for (;;) {
            pool_job* j = nullptr;
            while (!q_.pop_front(j)) {
                if (stopped_.load()) return;
                idle_.store(idle_.load() + 1);
                work_cv_.wait(lock);
                idle_.store(idle_.load() - 1);
            }
            lock.unlock();
            j->run(j);
            lock.lock();
            const std::size_t left = pending_.load() - 1;
            pending_.store(left);
            if (left == 0) drain_cv_.notify_all();
        }
    }

private:
    unsigned n_;
    locked_ring<World, pool_job*> q_;  // its mutex guards every member below
    typename World::condition_variable work_cv_, drain_cv_;
    var<std::size_t> pending_{0};  // accepted, not yet run to the end
    var<unsigned> idle_{0};        // workers waiting on work_cv_
    var<bool> closed_{false};      // outside submissions refused
    var<bool> stopped_{false};     // workers exit when the queue is empty
    std::vector<std::thread> threads_;
};

}  // namespace gauntlet
