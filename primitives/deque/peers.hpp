// Peer deques: third-party work-stealing deques behind the deque contract.
//
// xenium::chase_work_stealing_deque (Debian libxenium-dev): Chase–Lev with a
// growing circular array (arrays of doubling size kept as buckets, never
// copied back). Its items are pointers (value_type is T*) and it never
// dereferences them: it stores and loads them in std::atomic<T*> cells. The
// adapter passes an item's 64 bits as an opaque pointer and back (items are
// never 0, the pointer xenium would not distinguish from "nothing").
// try_steal returns one bool for "empty" and "lost the CAS on top", so the
// adapter reports every failed steal as `abort` (deque_traits:
// steal_reports_empty = false). The minimum capacity is a compile-time policy
// (xenium::policy::capacity); the constructor's capacity is ignored and the
// adapter fixes it at 2 so every check grows the array.
#pragma once

#include <cstddef>
#include <cstdint>

#include "primitives/deque/contract.hpp"

#if defined(GAUNTLET_HAVE_XENIUM)
#include <xenium/chase_work_stealing_deque.hpp>
#endif

namespace gauntlet::deque_peers {

#if defined(GAUNTLET_HAVE_XENIUM)
class xenium_chase_deque {
    struct opaque;  // never defined: xenium stores the pointers, never follows them

public:
    using item = std::uint64_t;
    explicit xenium_chase_deque(std::size_t) {}
    bool push(item v) { return d_.try_push(reinterpret_cast<opaque*>(static_cast<std::uintptr_t>(v))); }
    bool pop(item& out) {
        opaque* p = nullptr;
        if (!d_.try_pop(p)) return false;
        out = static_cast<item>(reinterpret_cast<std::uintptr_t>(p));
        return true;
    }
    steal_status steal(item& out) {
        opaque* p = nullptr;
        if (!d_.try_steal(p)) return steal_status::abort;  // empty or a lost race: xenium does not say
        out = static_cast<item>(reinterpret_cast<std::uintptr_t>(p));
        return steal_status::success;
    }

private:
    xenium::chase_work_stealing_deque<opaque, xenium::policy::capacity<2>> d_;
};
#endif

}  // namespace gauntlet::deque_peers
