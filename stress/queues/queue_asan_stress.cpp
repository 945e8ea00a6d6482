// queue_asan's stress body, and the dispatch of its property body to its
// parts (queue_asan_bodies.hpp).
#include "stress/queues/queue_asan_bodies.hpp"

namespace gauntlet::queue_asan {

result stress_body(const queue_stress::options& opts, const entry_context& ctx) {
    return by_name<queue_kind::catalogue>(ctx, [&]<class E>() { return queue_stress::check_entry<E>(opts, ctx); });
}

result property_body(const rapidcheck_options& opts, const entry_context& ctx) {
    static_assert(property_parts == 3, "one property_part call per part");
    if (auto r = property_part<0>(opts, ctx)) return std::move(*r);
    if (auto r = property_part<1>(opts, ctx)) return std::move(*r);
    if (auto r = property_part<2>(opts, ctx)) return std::move(*r);
    return result::fail("no catalogue queue is named '" + std::string(ctx.entry) + "'");
}

}  // namespace gauntlet::queue_asan
