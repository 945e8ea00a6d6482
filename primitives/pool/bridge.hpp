// The bridge from a work pool back to an event loop (seed 004's WorkTask
// and ConcurrentPromiseTask): run() on a pool worker, completion on the
// loop thread.
//
//   work_task<Pool, Loop, Ctx>       ctx.run() on a worker; then a post to
//                                    the loop, whose task calls ctx.then():
//                                    the completion is a task (task phase).
//   promise_task<Pool, Loop, Ctx>    ctx.run() on a worker; then a post whose
//                                    task calls ctx.then() (the promise is
//                                    resolved there) and queues
//                                    ctx.reaction() as a microtask: the
//                                    continuation runs in the drain right
//                                    after that task, before any other task
//                                    (a promise reaction is a microtask).
// schedule() (loop thread, or any thread) takes a keep-alive reference on
// the loop, so that run() cannot return while the work is in flight; the
// completion drops it after then() (and the reaction) ran. Submission to a
// pool that refuses it (shut down) drops the reference and returns false.
// Neither allocates: the task object is the pool job, and the loop task
// points at it (the caller keeps the object alive until the completion).
#pragma once

#include "primitives/loop/contract.hpp"
#include "primitives/pool/contract.hpp"

namespace gauntlet {

struct bridge_policy {
    // The completion goes through the loop (post). false (a mutant): then()
    // is called on the pool worker, right after run().
    static constexpr bool complete_on_loop = true;
    // The promise reaction is a microtask. false (a mutant): it is enqueued
    // as a task, behind whatever tasks the loop already holds.
    static constexpr bool reaction_as_microtask = true;
};

// What both bridge tasks share: the pool that runs them, the loop they
// complete on, the caller's context, and schedule(), which holds a
// keep-alive reference on the loop from the submission until the completion
// drops it.
template <class Pool, class Loop, class Ctx>
class bridge_job : public pool_job {
public:
    Ctx ctx;

    bool schedule() {
        loop_->ref();
        if (pool_->submit(this)) return true;
        loop_->unref();
        return false;
    }

protected:
    bridge_job(Pool& p, Loop& l, void (*on_pool)(pool_job*)) : pool_(&p), loop_(&l) { run = on_pool; }
    Pool* pool_;
    Loop* loop_;
};

template <class Pool, class Loop, class Ctx, class Policy = bridge_policy>
class work_task : public bridge_job<Pool, Loop, Ctx> {
public:
    work_task(Pool& p, Loop& l) : bridge_job<Pool, Loop, Ctx>(p, l, &on_pool) {}

private:
    static void on_pool(pool_job* j) {
        auto* self = static_cast<work_task*>(j);
        self->ctx.run();
        if constexpr (Policy::complete_on_loop) {
            self->loop_->post(task{&on_loop, self});
        } else {
            on_loop(self);
        }
    }
    static void on_loop(void* p) {
        auto* self = static_cast<work_task*>(p);
        Loop* l = self->loop_;
        self->ctx.then();
        l->unref();
    }
};

template <class Pool, class Loop, class Ctx, class Policy = bridge_policy>
class promise_task : public bridge_job<Pool, Loop, Ctx> {
public:
    promise_task(Pool& p, Loop& l) : bridge_job<Pool, Loop, Ctx>(p, l, &on_pool) {}

private:
    static void on_pool(pool_job* j) {
        auto* self = static_cast<promise_task*>(j);
        self->ctx.run();
        self->loop_->post(task{&settle, self});
    }
    static void settle(void* p) {
        auto* self = static_cast<promise_task*>(p);
        self->ctx.then();
        if constexpr (Policy::reaction_as_microtask)
            self->loop_->microtask(task{&react, self});
        else
            self->loop_->enqueue(task{&react, self});
    }
    static void react(void* p) {
        auto* self = static_cast<promise_task*>(p);
        Loop* l = self->loop_;
        self->ctx.reaction();
        l->unref();
    }
};

}  // namespace gauntlet
