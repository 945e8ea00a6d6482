// Part 2 of queue_asan's property body (queue_asan_bodies.hpp).
#include "properties/queues/queue_model_check.hpp"
#include "stress/queues/queue_asan_bodies.hpp"

namespace gauntlet::queue_asan {

template <>
std::optional<result> property_part<2>(const rapidcheck_options& opts, const entry_context& ctx) {
    return in_part<2, property_parts>(queue_kind::catalogue{}, ctx,
                                       [&]<class E>() { return queue_model_check::check_entry<E>(opts, ctx); });
}

}  // namespace gauntlet::queue_asan
