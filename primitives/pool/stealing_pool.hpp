// stealing_pool: a work-stealing pool. Each worker owns a bounded Chase–Lev
// deque (primitives/deque/chase_lev.hpp, chase_lev_bounded); a job submitted
// from inside a job goes to the submitting worker's deque, a job submitted
// from outside to one shared inject queue (a mutex-guarded ring). A worker
// looks for work in this order: every `fair_interval`-th job, the inject
// queue, then the oldest job of its own deque (a steal from its own top);
// otherwise its own deque's newest job (LIFO: locality), the inject queue,
// then one steal from every other worker, starting at a random victim
// (Blumofe and Leiserson's random stealing; a steal that aborts, having lost
// a race, is retried on the same victim). A full deque moves half of its
// jobs, oldest first, and the new one to the inject queue in one critical
// section (tokio's overflow of its local queue does the same).
//
// The park protocol (tokio's idle.rs and Go's spinning Ms have this shape).
// Three counts in one word: `searching` (workers looking for work),
// `sleeping` (workers that announced they may park) and tokens (see
// wake_if_needed).
//   submitter: queue the job; seq_cst fence; if nobody is searching and
//              somebody sleeps, move one sleeper to searching and leave a
//              token (one CAS), then wake one (bump `epoch`, notify one); a
//              submission from inside a job skips the fence (its owner runs
//              the job anyway).
//   worker:    found nothing: read `epoch`; sleeping += 1 and searching -= 1
//              (one RMW);
//              if it was the LAST searcher: seq_cst fence, then look in
//              every queue once more (the final re-check); found a job:
//              leave the sleeping count (or take a token) and run it.
//              Otherwise park until `epoch` moves, then take a token or move
//              itself back to searching. A worker that finds a job while searching stops
//              searching; if it was the last searcher it wakes another, so
//              that a job queued meanwhile is looked for.
// Why no job is stranded: a submitter that sees a searcher wakes nobody,
// and relies on that searcher; a searcher that gives up while others still
// search relies on them in turn, so only the last one to give up must look
// again, and that is enough. Store buffering is the danger: the
// submitter's queue write then counter read, against the last searcher's
// counter write then queue read. Both sides have a seq_cst fence (or RMW
// then fence) between the write and the read, so at least one sees the
// other: the submitter sees `searching == 0, sleeping > 0` and wakes, or the
// last searcher's re-check sees the job. Its epoch was read before the
// announcement, so a wake that comes after the read ends the park (the
// futex compares the current value). models/pool checks it with Relacy on 2
// workers and a 2-slot deque.
//
// The count drain() waits for: a submission adds to it at once; a worker
// takes the jobs it ran off it only when it runs out of work (before it
// searches or parks), so the count never falls below the jobs outstanding,
// the drain cannot end early, and a busy worker touches the shared count
// once per idle spell instead of once per job.
//
// ThreadSanitizer ignores fences. What it sees here: the job hand-offs
// (release store of bottom / acquire in steal, and the inject mutex); the
// wake-up decision rests on the fences, which TSan cannot see, so a missing
// fence shows only as a stranded job (the stress body reports it after a
// second without progress).
//
// Threads: natively the constructor starts the workers; with `no_threads`
// (the model) the caller runs run_worker(i) on threads of its own.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "primitives/cache_padded.hpp"
#include "primitives/deque/chase_lev.hpp"
#include "primitives/locked_ring.hpp"
#include "primitives/pool/contract.hpp"
#include "primitives/pool/global_queue_pool.hpp"  // pool_no_threads
#include "primitives/pool/pool_thread.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

struct stealing_policy {
    // Slots per worker deque (64 KiB of job pointers). tokio's local queue
    // has 256 and moves half of it per overflow; a Chase-Lev deque can only
    // give jobs up one steal (a fence and a CAS) at a time, so overflow here
    // costs as much per job as a locked queue, and the deque is made large
    // enough that a burst of spawns rarely reaches it. The checks construct
    // pools with small deques (stress: 16, the model: 2) to overflow often.
    static constexpr std::size_t deque_capacity = 8192;
    // The last searcher re-checks every queue before it parks. false (a
    // mutant): a job queued while it searched is stranded.
    static constexpr bool final_recheck = true;
    // An outside submission wakes a parked worker when nobody searches.
    // false (a mutant): it never wakes anybody.
    static constexpr bool inject_wakes = true;
    // Every fair_interval-th job: the inject queue first. false (a mutant):
    // the inject queue only when the worker's own deque is empty.
    static constexpr bool fair_inject = true;
    // Every fair_interval-th job: the oldest job of the own deque. false (a
    // mutant): always the newest (LIFO only).
    static constexpr bool fair_own_oldest = true;
    // shutdown() drains before it stops the workers. false (a mutant): it
    // stops them at once, and jobs still queued are dropped with the pool
    // (never run, never freed by their run).
    static constexpr bool drain_on_shutdown = true;
    // A full deque's jobs move to the inject queue under its mutex. false
    // (a mutant): without it, racing the other workers' takes.
    static constexpr bool overflow_locks = true;
    // The order of drain()'s first load of the pending count: seq_cst, the
    // shutdown's half of its store-load pair with an outside submit.
    // acquire (a mutant, the first version of this pool): a shutdown racing
    // an outside submission can strand the accepted job (the model's
    // shutdown_race).
    static constexpr std::memory_order drain_first_load = std::memory_order_seq_cst;
    // The worker deques' policy (a mutant swaps the order of push's
    // publication).
    using deque_policy = chase_lev_bounded_policy;
};

template <world World, class Policy = stealing_policy>
class stealing_pool {
    template <class U>
    using atomic = typename World::template atomic<U>;
    using deque = chase_lev<World, pool_job*, typename Policy::deque_policy>;

    struct worker {
        explicit worker(std::size_t capacity) : local(capacity) {}
        deque local;
        std::uint64_t ticks = 0;      // owner only
        std::uint64_t rng = 0;        // owner only
        std::uint32_t completed = 0;  // owner only: jobs run, not yet taken off `pending`
    };

public:
    explicit stealing_pool(unsigned workers, std::size_t capacity = Policy::deque_capacity)
        : stealing_pool(workers, pool_no_threads, capacity) {
        for (unsigned i = 0; i < n_; ++i) threads_.emplace_back([this, i] { run_worker(i); });
    }
    stealing_pool(unsigned workers, pool_no_threads_t, std::size_t capacity = Policy::deque_capacity)
        : n_(workers < 1 ? 1 : workers > 1023 ? 1023 : workers), inject_(16) {
        workers_.reserve(n_);
        for (unsigned i = 0; i < n_; ++i) {
            workers_.emplace_back(std::make_unique<cache_padded<worker>>(capacity));
            (*workers_[i])->rng = 0x9e3779b97f4a7c15ull * (i + 1);
        }
        state_->store(n_ * searcher, std::memory_order_relaxed);  // every worker starts looking
    }
    stealing_pool(const stealing_pool&) = delete;
    stealing_pool& operator=(const stealing_pool&) = delete;
    ~stealing_pool() { shutdown(); }

    unsigned workers() const { return n_; }

    bool submit(pool_job* j) {
        const pool_thread_id me = pool_thread_slot<World>::get();
        if (me.pool == this) {
            // Inside a job: pending > 0 already (the running job), so the
            // drain cannot end before this job is counted.
            pending_->fetch_add(1, std::memory_order_relaxed);
            worker& w = **workers_[me.index];
            if (!w.local.push(j)) overflow(w, j);
            // No job pushed from inside can be stranded: its owner runs it
            // (or finds it in the inject queue) before it looks anywhere
            // else. The wake-up is for parallelism only, so it is attempted
            // without the fence when somebody looks asleep; a stale read
            // costs parallelism until the next submission, not liveness.
            if (sleepers(state_->load(std::memory_order_relaxed)) > 0) wake_if_needed();
            return true;
        }
        // Outside: count first, then look at `closed` (seq_cst both here
        // and in shutdown: either this sees closed, or the drain sees the
        // count).
        pending_->fetch_add(1, std::memory_order_seq_cst);
        if (closed_->load(std::memory_order_seq_cst)) {
            finished(1);
            return false;
        }
        {
            std::lock_guard<typename World::mutex> lock(inject_.mutex);
            inject_.push_back(j);
            inject_len_->store(inject_len_->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
        if (Policy::inject_wakes) wake_if_needed();
        return true;
    }

    void drain() {
        // The first load is seq_cst: shutdown() stores closed, then drains;
        // an outside submit() adds to pending, then loads closed (all
        // seq_cst). That is a store-load pair: with an acquire load here
        // both loads may read the old value (the C++ model allows it;
        // x86, whose seq_cst store is a full barrier, never shows it), and
        // then the drain ends while the submitter goes on to queue a job
        // that no worker will run. The model's shutdown_race found it.
        for (std::uint32_t p = pending_->load(Policy::drain_first_load); p != 0;
             p = pending_->load(std::memory_order_acquire))
            // sweep: relaxed by argument: the park only blocks; the drain
            // returns through the loads above. Weakened from acquire with
            // the pool model and the ThreadSanitizer stress passing.
            World::park(*pending_, p, std::memory_order_relaxed);
    }

    void shutdown() {
        // sweep: acquire: a second shutdown() returns here, and stopped is
        // stored after the drain, so it too returns with every accepted
        // job's work visible. No scenario calls shutdown() twice.
        if (stopped_->load(std::memory_order_acquire)) return;
        closed_->store(true, std::memory_order_seq_cst);
        if constexpr (Policy::drain_on_shutdown) drain();
        // sweep: relaxed by argument: a worker that must see stopped reads
        // it after its acquire load of the epoch, which the release
        // increment below (sequenced after this store) publishes; nothing
        // else is read through it. Weakened from seq_cst with the pool
        // model and the ThreadSanitizer stress passing.
        stopped_->store(true, std::memory_order_relaxed);
        epoch_->fetch_add(1, std::memory_order_seq_cst);
        World::unpark_all(*epoch_);
        for (auto& t : threads_) t.join();
        threads_.clear();
    }

    // Worker i's loop (started by the constructor natively).
    void run_worker(unsigned i) {
        pool_thread_scope<World> scope(this, i);
        worker& w = **workers_[i];
        bool searching = true;
        for (;;) {
            if constexpr (!Policy::drain_on_shutdown) {
                if (stopped_->load(std::memory_order_acquire)) return;
            }
            pool_job* j = find(w, i);
            if (j == nullptr) {
                if (w.completed != 0) {  // idle: the jobs run so far leave the count
                    finished(w.completed);
                    w.completed = 0;
                }
                if (!searching) {  // look once more, as a searcher
                    // sweep: relaxed by argument: the state word carries no data and needs only its
                    // RMWs' atomicity (one CAS decides each move); the park protocol's store-load
                    // pairs are carried by the seq_cst fences in wake_if_needed() and park(),
                    // between which every state access sits. Weakened from seq_cst with the pool
                    // model (30000 random executions per scenario) and the ThreadSanitizer stress
                    // passing.
                    state_->fetch_add(searcher, std::memory_order_relaxed);
                    searching = true;
                    continue;
                }
                searching = false;
                j = park(w, i);
                if (j == nullptr) {
                    // sweep: relaxed by argument: see park()'s loads of stopped.
                    if (stopped_->load(std::memory_order_relaxed)) return;
                    searching = true;  // woken: park() counted us as searching again
                    continue;
                }
            } else if (searching) {
                searching = false;
                // The last searcher found work: another worker takes over the
                // search, for whatever was queued meanwhile.
                // sweep: relaxed by argument, as every access to the state word.
                if (searchers(state_->fetch_sub(searcher, std::memory_order_relaxed)) == 1) wake_if_needed();
            }
            j->run(j);
            ++w.completed;
        }
    }

private:
    // Counts `k` jobs finished (or refused); the one that brings the count
    // to zero wakes the drain.
    void finished(std::uint32_t k) {
        // sweep: release: the jobs' work happens-before a drain that reads
        // the count 0 (its acquire load reads the end of a release sequence
        // that every finisher's RMW continues, so no acquire is needed
        // here: weakened from acq_rel with the pool model and the
        // ThreadSanitizer stress passing). The model does not show the
        // release necessary: in every run it searched, the drain was
        // ordered after the jobs by another edge as well (the wake-up,
        // which Relacy's waitset synchronises and C++'s notify does not
        // promise).
        if (pending_->fetch_sub(k, std::memory_order_release) == k) World::unpark_all(*pending_);
    }

    // The waker moves one sleeper to searching in the same CAS that finds
    // nobody searching (tokio's idle.rs does the same), and leaves a token
    // in the word for the worker that wakes: later submitters see a
    // searcher and wake nobody, instead of each waking again (a futex call
    // per submission) until the woken worker runs. Whoever leaves park()
    // (woken, or with a job from its re-check) takes a token if there is
    // one, since it was counted as searching already, or else moves itself:
    // one CAS decides which, so a worker never moves itself after a waker
    // moved it (the model found both versions that split the word: a
    // worker counted out of `sleeping` twice).
    void wake_if_needed() {
        World::fence(std::memory_order_seq_cst);
        std::uint32_t s = state_->load(std::memory_order_relaxed);
        while (searchers(s) == 0 && sleepers(s) > 0) {
            // sweep: relaxed by argument, as every access to the state word;
            // the epoch's increment only changes the value the sleeper's
            // futex compares (the job it will find was published by the
            // inject mutex or the deque's own orders). Both weakened from
            // seq_cst with the pool model and the ThreadSanitizer stress
            // passing.
            if (state_->compare_exchange_weak(s, s + searcher - sleeper + token, std::memory_order_relaxed,
                                              std::memory_order_relaxed)) {
                epoch_->fetch_add(1, std::memory_order_relaxed);
                epoch_->notify_one();
                return;
            }
        }
    }

    // Leaves the sleeping count: takes a token (counted as searching by its
    // waker) or applies `own`. Returns the state before the change.
    std::uint32_t leave_sleep(std::uint32_t with_token, std::uint32_t own) {
        std::uint32_t s = state_->load(std::memory_order_relaxed);
        for (;;) {
            const std::uint32_t next = tokens(s) > 0 ? s - token - with_token : s + own;
            // sweep: relaxed by argument, as every access to the state word.
            if (state_->compare_exchange_weak(s, next, std::memory_order_relaxed, std::memory_order_relaxed)) return s;
        }
    }

    // Owner: the deque is full. Half its jobs, oldest first, and j go to
    // the inject queue together.
    void overflow(worker& w, pool_job* j) {
        std::unique_lock<typename World::mutex> lock(inject_.mutex, std::defer_lock);
        if constexpr (Policy::overflow_locks) lock.lock();
        std::uint32_t moved = 0;
        for (std::size_t k = 0; k < w.local.capacity() / 2; ++k) {
            pool_job* o = nullptr;
            steal_status s;
            while ((s = w.local.steal(o)) == steal_status::abort) {
            }
            if (s != steal_status::success) break;
            inject_.push_back(o);
            ++moved;
        }
        inject_.push_back(j);
        inject_len_->store(inject_len_->load(std::memory_order_relaxed) + moved + 1, std::memory_order_relaxed);
    }

    pool_job* pop_inject() {
        if (inject_len_->load(std::memory_order_relaxed) == 0) return nullptr;
        std::lock_guard<typename World::mutex> lock(inject_.mutex);
        pool_job* j = nullptr;
        if (!inject_.pop_front(j)) return nullptr;
        inject_len_->store(inject_len_->load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
        return j;
    }

    static pool_job* steal_from(deque& d) {
        pool_job* j = nullptr;
        for (;;) {
            const steal_status s = d.steal(j);
            if (s == steal_status::success) return j;
            if (s == steal_status::empty) return nullptr;
        }
    }

    // Every queue but the worker's own deque: inject, then one steal from
    // each other worker from a random start.
    pool_job* search(worker& w, unsigned i) {
        if (pool_job* j = pop_inject()) return j;
        if (n_ == 1) return nullptr;
        w.rng ^= w.rng << 13;
        w.rng ^= w.rng >> 7;
        w.rng ^= w.rng << 17;
        const unsigned start = static_cast<unsigned>(w.rng % n_);
        for (unsigned k = 0; k < n_; ++k) {
            const unsigned v = (start + k) % n_;
            if (v == i) continue;
            if (pool_job* j = steal_from((*workers_[v])->local)) return j;
        }
        return nullptr;
    }

    pool_job* find(worker& w, unsigned i) {
        pool_job* j = nullptr;
        if (++w.ticks % fair_interval == 0) {
            if constexpr (Policy::fair_inject) {
                if ((j = pop_inject())) return j;
            }
            if constexpr (Policy::fair_own_oldest) {
                if ((j = steal_from(w.local))) return j;
            }
        }
        if (w.local.pop(j)) return j;
        return search(w, i);
    }

    // The caller was searching and found nothing. Returns a job found by
    // the final re-check (the caller is then not searching), or nullptr
    // after a park or when the pool stops (the caller counts as searching
    // again, unless stopped).
    pool_job* park(worker& w, unsigned i) {
        const std::uint32_t e = epoch_->load(std::memory_order_acquire);
        // One RMW: sleeping + 1, searching - 1.
        // sweep: relaxed by argument: the state word carries no data and needs only its RMWs'
        // atomicity (one CAS decides each move); the park protocol's store-load pairs are carried
        // by the seq_cst fences in wake_if_needed() and park(), between which every state access
        // sits. Weakened from seq_cst with the pool model (30000 random executions per scenario)
        // and the ThreadSanitizer stress passing.
        const bool last = searchers(state_->fetch_add(sleeper - searcher, std::memory_order_relaxed)) == 1;
        if (Policy::final_recheck && last) {
            World::fence(std::memory_order_seq_cst);
            if (pool_job* j = search(w, i)) {
                // Leaving with a job, not searching: with a token, out of the
                // searching count its waker put it in; else out of sleeping.
                const std::uint32_t before = leave_sleep(searcher, 0u - sleeper);
                if (tokens(before) == 0 || searchers(before) == 1) wake_if_needed();  // let another look
                return j;
            }
        }
        // sweep: relaxed by argument, these loads of stopped and the park:
        // the acquire load of the epoch above read a value no older than
        // the one shutdown()'s increment left only if it happens after that
        // increment, and then it happens after the stopped store sequenced
        // before it; a park on a stale epoch returns at once. What the
        // worker runs next is published by the queues' own orders. Weakened
        // from acquire with the pool model and the ThreadSanitizer stress
        // passing.
        if (!stopped_->load(std::memory_order_relaxed)) World::park(*epoch_, e, std::memory_order_relaxed);
        if (stopped_->load(std::memory_order_relaxed)) return nullptr;
        // Searching again: counted by the waker (a token), or by ourselves.
        leave_sleep(0, searcher - sleeper);
        return nullptr;
    }

    unsigned n_;
    std::vector<std::unique_ptr<cache_padded<worker>>> workers_;
    locked_ring<World, pool_job*> inject_;                 // its mutex guards it
    cache_padded<atomic<std::uint32_t>> inject_len_{0u};  // a hint, written under the mutex
    cache_padded<atomic<std::uint32_t>> pending_{0u};
    // One word, 10 bits each: searching workers, sleeping (announced)
    // workers, and tokens (wakers' moves not yet taken by a woken worker).
    static constexpr std::uint32_t searcher = 1, sleeper = 1u << 10, token = 1u << 20;
    static constexpr std::uint32_t searchers(std::uint32_t s) { return s & 0x3ffu; }
    static constexpr std::uint32_t sleepers(std::uint32_t s) { return (s >> 10) & 0x3ffu; }
    static constexpr std::uint32_t tokens(std::uint32_t s) { return (s >> 20) & 0x3ffu; }
    cache_padded<atomic<std::uint32_t>> state_{0u};
    cache_padded<atomic<std::uint32_t>> epoch_{0u};
    cache_padded<atomic<bool>> closed_{false};
    cache_padded<atomic<bool>> stopped_{false};
    std::vector<std::thread> threads_;
};

}  // namespace gauntlet
