// The world interface: what every in-house component may use to touch shared
// memory, stated as a C++20 concept (DESIGN.md section 1).
//
// A world W supplies
//   W::atomic<T>            load/store/exchange/compare_exchange_*/fetch_add/
//                           fetch_sub with explicit std::memory_order
//   W::var<T>               non-atomic shared data: load()/store(); race-checked
//                           under Relacy, plain data natively
//   W::mutex, W::condition_variable
//                           lock discipline the Relacy world can see
//   W::fence(order)         std::atomic_thread_fence
//   W::light_fence()        the two halves of an asymmetric fence pair. A
//   W::heavy_fence()        light fence paired with a heavy one forbids what
//                           two seq_cst fences forbid (store buffering: each
//                           side missing the other's store); two light fences
//                           forbid nothing. The frequent side executes the
//                           light one (natively a compiler barrier), the rare
//                           side the heavy one (natively membarrier: every
//                           running thread of the process executes a full
//                           barrier). Until the process's first heavy
//                           fence a light fence is a seq_cst fence; where
//                           membarrier is missing both are. Under Relacy a
//                           light and a heavy fence act as two seq_cst
//                           fences in the order they run and two light ones
//                           order nothing (relacy_world.hpp). Neither is a memory-order
//                           sweep site (a fence's kind is not an order on
//                           the sweep's ladder).
//   W::spin_hint()          one busy-wait step (pause natively, a yield to
//                           Relacy's scheduler in the model)
//   W::park(a, old, order)  block while `a` holds `old` (callers loop: spurious
//                           returns allowed); W::unpark_all(a) wakes them
//   W::make<T>(args...)     heap objects shared between threads, and
//   W::destroy(p)           W::destroy: Relacy tracks their lifetimes
//   W::witness              a happens-before witness: ghost data with one
//                           member, touch(). Every world here makes it empty
//                           and touch() a no-op; a model program may derive a
//                           world whose witness is a race-checked variable
//                           (touch() writes it), so that two touches not
//                           ordered by happens-before are a data race. It
//                           states an ordering the component relies on but
//                           does not otherwise expose to a checker: for
//                           chase_lev, a successful steal's read of a cell
//                           happens before the owner's overwrite of it
//                           (models/deque: the `lap` scenario).
// Both worlds are checked against it here, at compile time; components
// constrain their World parameter with it.
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <type_traits>

namespace gauntlet {

template <class W>
concept world = requires(typename W::template atomic<std::uint32_t>& a,
                         const typename W::template atomic<std::uint32_t>& ca,
                         typename W::template var<int>& v, std::uint32_t x, typename W::mutex& m,
                         typename W::condition_variable& cv, std::unique_lock<typename W::mutex>& lk) {
    { W::name } -> std::convertible_to<const char*>;
    { ca.load(std::memory_order_acquire) } -> std::same_as<std::uint32_t>;
    a.store(x, std::memory_order_release);
    { a.exchange(x, std::memory_order_acq_rel) } -> std::same_as<std::uint32_t>;
    { a.compare_exchange_strong(x, x, std::memory_order_acq_rel, std::memory_order_acquire) } -> std::same_as<bool>;
    { a.compare_exchange_weak(x, x, std::memory_order_acq_rel, std::memory_order_acquire) } -> std::same_as<bool>;
    { a.fetch_add(x, std::memory_order_relaxed) } -> std::same_as<std::uint32_t>;
    { a.fetch_sub(x, std::memory_order_relaxed) } -> std::same_as<std::uint32_t>;
    { v.load() } -> std::same_as<int>;
    v.store(1);
    m.lock();
    m.unlock();
    cv.wait(lk);
    cv.notify_all();
    W::fence(std::memory_order_seq_cst);
    W::light_fence();
    W::heavy_fence();
    W::spin_hint();
    W::park(ca, x, std::memory_order_acquire);
    W::unpark_all(a);
    { W::template make<int>(1) } -> std::same_as<int*>;
    W::destroy(static_cast<int*>(nullptr));
    requires requires(typename W::witness& w) { w.touch(); };
};

// One witness per cell of an array of n cells, for components whose cells
// are reused (a ring's slot on its next lap). Nothing is allocated where the
// world's witness is empty (every world but a model program's witness
// world), so the component's layout and cost are unchanged there.
template <world W>
class witness_row {
public:
    explicit witness_row(std::size_t n) {
        if constexpr (tracked) marks_ = std::make_unique<typename W::witness[]>(n);
    }
    void touch(std::size_t i) {
        if constexpr (tracked) marks_[i].touch();
    }

private:
    static constexpr bool tracked = !std::is_empty_v<typename W::witness>;
    std::unique_ptr<typename W::witness[]> marks_;
};

}  // namespace gauntlet
