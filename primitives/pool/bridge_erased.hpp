// The two halves of a bridge pair behind virtual calls, for the pair's
// checks and benchmark (stress/pool/pool_bridge.cpp, bench/pool/bench_pool.cpp).
//
// The bridge (bridge.hpp) is a template over the pool and the loop; with
// every pool x loop pair instantiated directly, each pair compiled its own
// copy of the bridge and of the check around it (pool_bridge.cpp with 38
// pairs: 28 s of clang with ThreadSanitizer, against 7.5 s erased). Here each pool and each loop
// is wrapped once (erased_pool<P>, erased_loop<L>), and the bridge and the
// check are instantiated once per mode and policy, over any_pool and
// any_loop. The calls reach the pool's and the loop's own members
// unchanged; the only difference from a direct instantiation is one
// indirect call per submit, post, microtask, enqueue, ref and unref, which
// orders nothing.
#pragma once

#include <memory>

#include "primitives/loop/contract.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pool/contract.hpp"

namespace gauntlet {

class any_pool {
public:
    virtual ~any_pool() noexcept(false) = default;  // oneTBB's task_group may throw from its destructor
    virtual bool submit(pool_job* j) = 0;
    virtual void drain() = 0;
    virtual void shutdown() = 0;
    // The address the pool's workers carry in pool_thread_slot (the pool
    // object itself).
    virtual const void* identity() const = 0;
};

template <class P>
class erased_pool final : public any_pool {
public:
    explicit erased_pool(unsigned workers) : p_(workers) {}
    bool submit(pool_job* j) override { return p_.submit(j); }
    void drain() override { p_.drain(); }
    void shutdown() override { p_.shutdown(); }
    const void* identity() const override { return &p_; }

private:
    P p_;
};

class any_loop {
public:
    virtual ~any_loop() = default;
    virtual post_status post(task t) = 0;
    virtual void enqueue(task t) = 0;
    virtual void microtask(task t) = 0;
    virtual void ref() = 0;
    virtual void unref() = 0;
    virtual void run() = 0;
    virtual void close() = 0;
};

template <class L>
class erased_loop final : public any_loop {
public:
    post_status post(task t) override { return l_.post(t); }
    void enqueue(task t) override { l_.enqueue(t); }
    void microtask(task t) override { l_.microtask(t); }
    void ref() override { l_.ref(); }
    void unref() override { l_.unref(); }
    void run() override { l_.run(); }
    void close() override { l_.close(); }

private:
    L l_;
};

// The pool and the loop of pair E (a bridge_catalogue.hpp entry), native.
template <class PoolE>
std::unique_ptr<any_pool> make_erased_pool(unsigned workers) {
    return std::make_unique<erased_pool<typename PoolE::template type<native_world>>>(workers);
}
template <class LoopE>
std::unique_ptr<any_loop> make_erased_loop() {
    return std::make_unique<erased_loop<typename LoopE::template type<native_world>>>();
}

}  // namespace gauntlet
